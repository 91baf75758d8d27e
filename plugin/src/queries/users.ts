import { userRowsToFrame } from '../app/frames';
import type { UserRow } from '../types';
import { type QueryKind, commonParams, peopleParams } from './kind';

/** Who used it in the range, one row per user: /api/v1/users?details=true, as many rows as the daemon allows. */
export const usersKind: QueryKind<{ users: UserRow[] }> = {
  type: 'users',
  option: {
    label: 'user list',
    value: 'users',
    description: 'who used it in the range: last and first login, logins and active days (for tables)',
  },
  path: '/api/v1/users',
  filters: ['roles', 'handlers', 'projects', 'hosts'],
  params(_query, ctx) {
    const { start, end, tz, ...source } = commonParams(ctx);
    const limit = String(ctx.limits.userRows.max);
    return {
      ...source,
      start,
      end,
      details: 'true',
      sort: 'lastSeen',
      limit,
      tz,
      ...peopleParams(ctx, usersKind.filters),
    };
  },
  frame(answer, query, ctx) {
    return userRowsToFrame(answer.users, { refId: query.refId, name: ctx.alias ?? 'users' });
  },
  displayText() {
    return 'who used it in the range';
  },
};
