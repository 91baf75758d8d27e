import { createHash } from 'node:crypto';

/**
 * Who belongs to which group, as core4 decides it (plan-net/core4, release 1.0.10,
 * core4/api/v1/request/role/model.py):
 * - a role with both `email` and `password` is a user (`is_user`); any other role is a group;
 * - `role` holds the `_id`s of the roles a role is assigned to, and `casc_role()` follows them depth-first,
 *   each `_id` once (a `seen` list shared by the whole walk), keeping the active roles and following only
 *   those: an inactive role is neither kept nor walked through.
 * A user's groups are that walk's roles. core4 raises on an `_id` that names no role; here it is skipped,
 * so one dangling reference does not cost the whole membership.
 */

/** A `sys.role` document as read: never its e-mail address or password, only whether it has both. */
export interface RoleRecord {
  id: string;
  name: string;
  realname: string | null;
  isActive: boolean;
  isUser: boolean;
  created: Date | null;
  lastLogin: Date | null;
  /** `_id`s of the roles it is assigned to, in stored order. */
  roles: string[];
}

export interface GroupEntry {
  name: string;
  realname: string | null;
  active: boolean;
}

export interface UserEntry {
  name: string;
  realname: string | null;
  active: boolean;
  created: Date | null;
  lastLogin: Date | null;
  /** Names of the groups `casc_role()` yields for this user, sorted. */
  groups: string[];
}

/** Every user role with its expanded groups, and every group, each sorted by name. */
export interface Membership {
  groups: GroupEntry[];
  users: UserEntry[];
}

/** The roles `casc_role()` collects for `role`: depth-first, each id once, inactive roles not followed. */
export function cascRoles(role: RoleRecord, byId: ReadonlyMap<string, RoleRecord>): RoleRecord[] {
  const seen = new Set<string>();
  const found: RoleRecord[] = [];
  const walk = (ids: readonly string[]) => {
    for (const id of ids) {
      if (seen.has(id)) continue;
      seen.add(id);
      const target = byId.get(id);
      if (!target?.isActive) continue;
      found.push(target);
      walk(target.roles);
    }
  };
  walk(role.roles);
  return found;
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Expands every user's groups (only roles that are groups count as groups). */
export function expandMembership(records: readonly RoleRecord[]): Membership {
  const byId = new Map(records.map((r) => [r.id, r]));
  const groups = records
    .filter((r) => !r.isUser)
    .map((r) => ({ name: r.name, realname: r.realname, active: r.isActive }))
    .sort(byName);
  const users = records
    .filter((r) => r.isUser)
    .map((r) => ({
      name: r.name,
      realname: r.realname,
      active: r.isActive,
      created: r.created,
      lastLogin: r.lastLogin,
      groups: [
        ...new Set(
          cascRoles(r, byId)
            .filter((g) => !g.isUser)
            .map((g) => g.name)
        ),
      ].sort(),
    }))
    .sort(byName);
  return { groups, users };
}

/** A digest of a membership: a run stores a new expansion only when it differs from the stored one. */
export function membershipDigest(membership: Membership): string {
  return createHash('sha256').update(JSON.stringify(membership)).digest('hex');
}
