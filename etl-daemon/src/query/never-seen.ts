import type { LoadedMembership } from './sync/membership';

/** What sys.role says of a person, for rows: never an e-mail address or a password (neither is read). */
export interface RoleDetails {
  realname: string | null;
  created: string | null;
  lastLogin: string | null;
}

const iso = (at: Date | null) => (at ? at.toISOString() : null);

/** The sys.role details of `name` (nulls for a name that is no user role); undefined without a membership. */
export function roleDetails(membership: LoadedMembership | undefined, name: string): RoleDetails | undefined {
  if (!membership) return undefined;
  const user = membership.users.get(name);
  return {
    realname: user?.realname ?? null,
    created: iso(user?.created ?? null),
    lastLogin: iso(user?.lastLogin ?? null),
  };
}

/**
 * The active user roles of sys.role that were not active in a range (`active`: the names that were), sorted
 * by name: everybody of them (of `only`, a role filter's people) in `count`, the first `limit` that `matches`
 * keeps as rows.
 */
export function neverSeen(
  membership: LoadedMembership,
  active: ReadonlySet<string>,
  page: { matches: (name: string) => boolean; only?: (name: string) => boolean; limit: number }
): { count: number; rows: ({ name: string; lastSeen: null } & RoleDetails)[]; truncated: boolean } {
  const only = page.only ?? (() => true);
  const absent = [...membership.users.values()].filter(
    (u) => u.active && !active.has(u.name) && only(u.name)
  );
  const kept = absent.filter((u) => page.matches(u.name));
  return {
    count: absent.length,
    rows: kept.slice(0, page.limit).map((u) => ({
      name: u.name,
      lastSeen: null,
      ...(roleDetails(membership, u.name) as RoleDetails),
    })),
    truncated: kept.length > page.limit,
  };
}
