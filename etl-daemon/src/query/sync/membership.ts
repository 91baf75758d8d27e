import type { Collection } from 'mongodb';
import type { MembershipDoc, MembershipPartDoc } from '../../db/roles';
import { readMembershipHeader, readMembershipUsers } from '../../db/roles';
import type { GroupEntry, UserEntry } from '../../etl/role-membership';

/** The membership a process applies: the stored set as of its latest check, with lookups. */
export interface LoadedMembership {
  set: string;
  source: string;
  readAt: Date;
  /** The latest run that found sys.role unchanged: what answers call `membershipAsOf`. */
  checkedAt: Date;
  groups: readonly GroupEntry[];
  users: ReadonlyMap<string, UserEntry>;
  /** Group name → its members' names (every user role holding it, active or not), sorted. */
  members: ReadonlyMap<string, readonly string[]>;
}

function build(header: MembershipDoc, users: readonly UserEntry[]): LoadedMembership {
  const members = new Map<string, string[]>(header.groups.map((g) => [g.name, []]));
  for (const user of users) for (const group of user.groups) members.get(group)?.push(user.name);
  return {
    set: header.set,
    source: header.source,
    readAt: header.readAt,
    checkedAt: header.checkedAt,
    groups: header.groups,
    users: new Map(users.map((u) => [u.name, u])),
    members,
  };
}

/**
 * The membership as stored now: the loaded one when its set is still current (its check time moved on), a
 * new one when the set changed and all its parts are there, else the loaded one until the next refresh.
 */
export async function syncMembership(
  cols: { role: Collection<MembershipDoc>; roleParts: Collection<MembershipPartDoc> },
  loaded: LoadedMembership | undefined
): Promise<LoadedMembership | undefined> {
  const header = await readMembershipHeader(cols.role);
  if (!header || header.parts === 0) return loaded;
  if (loaded?.set === header.set) return { ...loaded, checkedAt: header.checkedAt };
  const users = await readMembershipUsers(cols.roleParts, header);
  return users ? build(header, users) : loaded;
}
