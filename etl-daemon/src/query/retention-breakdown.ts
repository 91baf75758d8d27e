import type { Cohort } from '../contract/types';
import type { Breakdown } from './breakdown';
import { seriesPeople } from './breakdown';
import { withSlots } from './exact-count';
import type { IndexSync } from './index-loader';
import { rankedSeries } from './logins-breakdown';
import type { RequestDimension } from '../contract/metrics';
import { rankedRequestSeries } from './request-breakdown';
import { keptSyncs } from './requests';
import { peopleMask } from './people';
import type { RetentionQuery } from './retention';
import { retentionMatrix, retentionPoints } from './retention';

type Sync = Pick<IndexSync, 'index' | 'readSlots' | 'progress' | 'dataUntil' | 'reloadDays'>;

/** The cohorts of the query's people (every user, or its filters'), exactly. */
export async function retentionCohorts(sync: Sync, query: RetentionQuery): Promise<Cohort[]> {
  const { index } = sync;
  const mask = peopleMask(index, query);
  return withSlots(
    sync,
    () => index.missingSlotsAt(retentionPoints(query)),
    (raw) => retentionMatrix(index, query, mask, raw)
  );
}

/** A retention breakdown's series: each ranked value with its cohorts, in the ranking's order. */
type CohortSeries = { key: string; other?: true; users: number; cohorts: Cohort[] }[];

async function withCohorts<R extends { key: string; other: boolean; users: number }>(
  ranked: readonly R[],
  cohortsOf: (series: R) => Promise<Cohort[]>
): Promise<CohortSeries> {
  const series: CohortSeries = [];
  for (const r of ranked) {
    const cohorts = await cohortsOf(r);
    series.push({ key: r.key, ...(r.other ? { other: true as const } : {}), users: r.users, cohorts });
  }
  return series;
}

/**
 * /api/v1/retention's series: per value ranked as /api/v1/logins ranks them (distinct users over the range),
 * the cohorts of its people: new to the series means new to core4 for a person selected by role.
 */
export async function retentionSeries(
  sync: Sync,
  query: RetentionQuery,
  breakdown: Breakdown
): Promise<CohortSeries> {
  return withCohorts(await rankedSeries(sync, query, breakdown), (ranked) =>
    retentionCohorts(sync, seriesPeople(query, ranked))
  );
}

/** /api/v1/retention's series of a request breakdown: the cohorts of each value's requests (new to that app). */
export async function requestRetentionSeries(
  sync: Sync,
  query: RetentionQuery,
  breakdown: { dimension: RequestDimension; limit: number }
): Promise<CohortSeries> {
  const ranked = await rankedRequestSeries(sync, query, breakdown);
  const syncs = keptSyncs(
    sync,
    ranked.map((r) => r.allowed)
  );
  return withCohorts(ranked, (r) => retentionCohorts(syncs[ranked.indexOf(r)] as Sync, query));
}
