import { parseList } from '../contract/params';
import { QueryError } from '../errors';
import type { LoginIndex, UserMask } from './login-index';
import type { LoadedMembership } from './sync/membership';
import type { RequestFilter, RequestParams } from './requests';
import { parseRequests, requestsHeader, requestsKey } from './requests';

/**
 * Who a query counts: `user=` names people, `role=` names core4 groups whose members (as the membership
 * read from sys.role has them) are counted; values of one parameter are OR-ed, the two parameters AND-ed.
 * `requests` rides along: which of their requests count (handler=, project=, host=; query/requests.ts).
 */
export interface People {
  /** The request filter; absent: every request. Applied by counting with requestScoped(sync, it). */
  requests?: RequestFilter | undefined;
  users: string[] | null;
  /** Absent or null: no role filter (then `users` alone selects). */
  roles?: string[] | null;
  /** Those who pass both filters; null: everybody; absent: `users`. */
  selected?: readonly string[] | null;
  /** The check time of the membership the roles were resolved with (ISO); null without roles. */
  membershipAsOf?: string | null;
}

/** Who passes the filters; null: everybody. */
export function selectedOf(people: People): readonly string[] | null {
  return people.selected === undefined ? people.users : people.selected;
}

/** The people of a request's `user` and `role` parameters; a 400 naming an unknown role or no membership. */
export function parsePeople(
  params: { user?: string | string[] | undefined; role?: string | string[] | undefined } & RequestParams,
  membership: LoadedMembership | undefined
): People {
  const requests = parseRequests(params);
  return { ...parseRoles(params, membership), ...(requests ? { requests } : {}) };
}

function parseRoles(
  params: { user?: string | string[] | undefined; role?: string | string[] | undefined },
  membership: LoadedMembership | undefined
): People {
  const userList = parseList(params.user);
  const roleList = parseList(params.role);
  const users = userList.length === 0 ? null : userList;
  if (roleList.length === 0) return { users, roles: null, selected: users, membershipAsOf: null };
  if (!membership) {
    throw new QueryError(
      'role',
      roleList.join(','),
      'no roles: none have been read from sys.role yet (USAGE_ROLES; GET /api/v1/roles says why)'
    );
  }
  const lists = roleList.map((role) => {
    const names = membership.members.get(role);
    if (!names) throw new QueryError('role', role, 'a group of sys.role (GET /api/v1/roles lists them)');
    return names;
  });
  return {
    users,
    roles: roleList,
    selected: selectedMembers(lists, users),
    membershipAsOf: membership.checkedAt.toISOString(),
  };
}

/**
 * The members of any of the groups' lists, narrowed to `users` when given. One group without a user filter
 * is the membership's own list (its mask is kept with it: maskOfNames), with no set of names built.
 */
function selectedMembers(lists: readonly (readonly string[])[], users: string[] | null): readonly string[] {
  if (lists.length === 1 && !users) return lists[0] as readonly string[];
  const members = new Set(lists.flat());
  return users ? users.filter((u) => members.has(u)) : [...members].sort();
}

/**
 * Masks of lists of names kept while the list is (a group's members, as the loaded membership holds them:
 * a breakdown asks for the same groups on every refresh) and the index has as many users as when built.
 */
const masks = new WeakMap<readonly string[], { userCount: number; mask: UserMask }>();

/** The index mask of these names, kept with the list itself. */
export function maskOfNames(index: LoginIndex, names: readonly string[]): UserMask {
  const kept = masks.get(names);
  if (kept && kept.userCount === index.userCount) return kept.mask;
  const mask = index.userMask(names);
  masks.set(names, { userCount: index.userCount, mask });
  return mask;
}

/** The index mask of the selected people; undefined counts everybody. */
export function peopleMask(index: LoginIndex, people: People): UserMask | undefined {
  const selected = selectedOf(people);
  return selected ? maskOfNames(index, selected) : undefined;
}

/** What identifies the people of a query in a cache key. */
export function peopleKey(people: People): string {
  if (!people.users && !people.roles && !people.requests) return '';
  return JSON.stringify([
    people.users,
    people.roles ?? null,
    people.membershipAsOf ?? null,
    requestsKey(people.requests),
  ]);
}

/** The answer's echo of a role filter: the groups asked and the membership's check time; nothing without. */
export function rolesEcho(
  people: People
): Record<string, never> | { roles: string[]; membershipAsOf: string } {
  if (!people.roles || !people.membershipAsOf) return {};
  return { roles: people.roles, membershipAsOf: people.membershipAsOf };
}

/** The answer's echo of the filters: `users` always, `roles` and `membershipAsOf` when roles were asked. */
export function peopleHeader(people: People): {
  users: string[] | null;
  roles?: string[];
  membershipAsOf?: string;
  requests?: RequestFilter;
} {
  return { users: people.users, ...rolesEcho(people), ...requestsHeader(people.requests) };
}
