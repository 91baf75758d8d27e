import type { UsageQuery, UsageQueryType } from '../types';
import { appsKind } from './apps';
import { countsKind } from './counts';
import { peopleKind } from './people';
import type { QueryKind } from './kind';
import { retentionKind } from './retention';
import { runsKind } from './runs';
import { stickinessKind } from './stickiness';
import { usersKind } from './users';

/** Every query type, by the `queryType` a saved query names: a new type is one module and one entry here. */
export const QUERY_KINDS: Record<UsageQueryType, QueryKind> = {
  counts: countsKind,
  retention: retentionKind,
  stickiness: stickinessKind,
  users: usersKind,
  people: peopleKind,
  apps: appsKind,
  runs: runsKind,
};

/** The kind of a query (counts when it names none, as queries saved before types existed). */
export function kindOf(query: Pick<UsageQuery, 'queryType'>): QueryKind {
  return QUERY_KINDS[query.queryType ?? 'counts'];
}
