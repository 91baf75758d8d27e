import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { refineExact, tallyUsersExact, usersBetweenExact } from '../../query/exact-count';
import {
  parseAggregate,
  parseInstant,
  parseOrderedRange,
  parseRange,
  parseZone,
} from '../../contract/params';
import { neverSeen, roleDetails } from '../../query/never-seen';
import { parsePeople, rolesEcho } from '../../query/people';
import type { LifecycleStatus } from '../../contract/metrics';
import type { UsersParams } from '../../contract/types';
import { REQUEST_LIMITS } from '../../core/limits';
import { QueryError } from '../../errors';
import { listLifecycle } from '../../query/lifecycle-list';
import type { PageOptions } from '../../query/user-table';
import { candidates, edgeDaySlots, pageRows } from '../../query/user-table';
import type { ApiContext } from '../context';
import { scoped } from '../source';
import { requestScoped, requestsHeader } from '../../query/requests';
import { dataErrors, usersAnswer, usersParams } from '../../contract/schemas';

/**
 * User names seen in a range (default the last 90 days), sorted: for Grafana variables. With
 * `details=true`, who uses it: per user the first and last login in the range (exact), logins and active
 * days, sorted by `sort`.
 */
export const usersRoutes: FastifyPluginAsyncJsonSchemaToTs<{ Options: ApiContext }> = async (app, all) => {
  app.get(
    '/api/v1/users',
    {
      schema: {
        tags: ['users'],
        querystring: usersParams,
        response: { 200: usersAnswer, ...dataErrors },
      },
    },
    async (request) => {
      const source = scoped(all, request.query.source);
      const { search, limit, details, sort, order, tz, role, handler, project, host } = request.query;
      const needle = search?.toLowerCase();
      const matches = (name: string) => !needle || name.toLowerCase().includes(needle);
      // role=: only members of these groups (people.ts); the answer says which membership it used.
      const people = parsePeople({ role, handler, project, host }, source.sync.membership());
      // handler=, project=, host=: who used those requests (query/requests.ts).
      const ctx = { ...source, sync: requestScoped(source.sync, people.requests) };
      const chosen = people.selected ? new Set(people.selected) : undefined;
      const only = (name: string) => !chosen || chosen.has(name);
      const echo = { ...rolesEcho(people), ...requestsHeader(people.requests) };
      const { status } = request.query;
      if (status === 'never') return { ...(await neverRows(ctx, request.query, { matches, only })), ...echo };
      if (status !== undefined)
        return { ...(await lifecycleRows(ctx, { ...request.query, status }, { matches, only })), ...echo };
      const { start, end } = parseRange(request.query, ctx.now().getTime(), REQUEST_LIMITS.rangeDays.users);
      const kept = (name: string) => matches(name) && only(name);
      if (!details) {
        const all = (await usersBetweenExact(ctx.sync, start, end)).filter(kept);
        return { users: all.slice(0, limit), truncated: all.length > limit, ...echo };
      }
      parseZone(tz);
      const descending = order === 'desc';
      return {
        ...(await whoUsesIt(ctx, { start, end, tz, matches: kept, limit, sort, descending })),
        ...echo,
      };
    }
  );
};

/** Who uses it: a page of users with their exact first and last logins, logins and active local days. */
async function whoUsesIt(
  ctx: ApiContext,
  query: { start: number; end: number; tz: string; matches: (name: string) => boolean } & Omit<
    PageOptions,
    'nameOf'
  >
) {
  const { start, end, tz, matches, limit } = query;
  const { index } = ctx.sync;
  // The page's first and last logins are mostly on the range's first and last days: their slots are read
  // while everybody is tallied (the database works on them meanwhile), not after. A failure here is the
  // refining read's to report.
  const warm = ctx.sync.readSlots(edgeDaySlots(index, start, end)).catch(() => undefined);
  await new Promise((sent) => setImmediate(sent));
  const nameOf = (id: number) => index.userName(id) ?? '';
  const tallies = (await tallyUsersExact(ctx.sync, { start, end, tz })).filter((t) => matches(nameOf(t.id)));
  const options = { sort: query.sort, descending: query.descending, limit, nameOf };
  const page = candidates(tallies, options);
  await warm;
  // First and last logins of the page's rows to the millisecond: their slots' logins.
  await refineExact(ctx.sync, page);
  const membership = ctx.sync.membership();
  const rows = pageRows(page, options);
  return {
    users: rows.map((r) => ({
      ...r,
      firstSeen: new Date(r.firstSeen).toISOString(),
      lastSeen: new Date(r.lastSeen).toISOString(),
      ...(membership ? { realname: membership.users.get(r.name)?.realname ?? null } : {}),
    })),
    truncated: tallies.length > limit,
  };
}

/** /api/v1/users?status: the people of a lifecycle status in one bucket, with their last logins. */
async function lifecycleRows(
  ctx: ApiContext,
  params: UsersParams & { status: LifecycleStatus },
  filters: { matches: (name: string) => boolean; only: (name: string) => boolean }
) {
  if (params.bucket === undefined)
    throw new QueryError('bucket', null, 'an instant of the bucket (required with status)');
  const end = params.end === undefined ? ctx.now().getTime() : parseInstant('end', params.end);
  const list = await listLifecycle(ctx.sync, {
    status: params.status,
    bucket: parseInstant('bucket', params.bucket),
    end,
    unit: parseAggregate(params.aggregate ?? 'w'),
    tz: parseZone(params.tz ?? 'UTC'),
    weekStart: params.weekStart ?? 'monday',
    limit: params.limit ?? REQUEST_LIMITS.userRows.default,
    ...filters,
  });
  const iso = (t: number) => new Date(t).toISOString();
  return {
    status: params.status,
    bucket: { start: iso(list.bucketStart), end: iso(list.bucketEnd) },
    count: list.count,
    users: list.rows.map((r) => ({
      name: r.name,
      lastSeen: iso(r.lastSeen),
      ...roleDetails(ctx.sync.membership(), r.name),
    })),
    truncated: list.truncated,
  };
}

/**
 * /api/v1/users?status=never: the active user roles of sys.role with no activity from start to end. Only a
 * source whose names are canonical role names can be compared with sys.role.
 */
async function neverRows(
  ctx: ApiContext,
  params: UsersParams,
  filters: { matches: (name: string) => boolean; only: (name: string) => boolean }
) {
  if (ctx.canonicalNames === false) {
    throw new QueryError(
      'status',
      'never',
      'new, returning, resurrecting or dormant: this source (USAGE_SOURCE seed or USAGE_MESSAGE_REGEX) ' +
        "counts names that are not core4's role names, so they cannot be compared with sys.role"
    );
  }
  const membership = ctx.sync.membership();
  if (!membership) {
    throw new QueryError(
      'status',
      'never',
      'new, returning, resurrecting or dormant: no roles have been read from sys.role (GET /api/v1/roles says why)'
    );
  }
  const { start, end } = parseOrderedRange(params, ctx.now().getTime(), REQUEST_LIMITS.rangeDays.users);
  const active = new Set(await usersBetweenExact(ctx.sync, start, end));
  const list = neverSeen(membership, active, {
    ...filters,
    limit: params.limit ?? REQUEST_LIMITS.userRows.default,
  });
  return {
    status: 'never' as const,
    membershipAsOf: membership.checkedAt.toISOString(),
    count: list.count,
    users: list.rows,
    truncated: list.truncated,
  };
}
