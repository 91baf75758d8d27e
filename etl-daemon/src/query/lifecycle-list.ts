import type { LifecycleStatus } from '../contract/metrics';
import { forEachBit } from '../core/bitset';
import { QueryError } from '../errors';
import type { Unit } from '../time/aggregate';
import type { WeekStart } from '../time/buckets';
import { bucketBounds } from '../time/buckets';
import type { SeriesRequest } from './engagement';
import { engagementPoints, lifecycleFrom, lifecycleMembers } from './engagement';
import { refineExact, tallyUsersExact, withSlots } from './exact-count';
import type { IndexSync } from './index-loader';

type Source = Pick<IndexSync, 'index' | 'readSlots' | 'progress' | 'reloadDays'>;

export interface LifecycleQuery {
  status: LifecycleStatus;
  /** An instant of the bucket. */
  bucket: number;
  /** The bucket is cut here (a bucket in progress: as of now). */
  end: number;
  unit: Unit;
  tz: string;
  weekStart: WeekStart;
  limit: number;
  /** A search: which of the people are rows (the count is everybody's). */
  matches: (name: string) => boolean;
  /** Who is counted at all (a role filter's people): the count is the metric counted for them. */
  only?: (name: string) => boolean;
}

export interface LifecycleList {
  bucketStart: number;
  /** The bucket's end, or `end` where that cuts it. */
  bucketEnd: number;
  /** Everybody of the status (the lifecycle metric's value, as a count), whatever `matches` keeps. */
  count: number;
  rows: { name: string; lastSeen: number }[];
  truncated: boolean;
}

/**
 * The people of one lifecycle status in a calendar bucket, by name, with their last login in it or in the
 * bucket before (dormant people's is there): found by the same definitions that count the lifecycle metrics
 * (query/engagement.ts lifecycleMembers), so their number is the metric's value; exact, the slots that the
 * bucket's edges and the page's last logins cut read from home.login.
 */
export async function listLifecycle(sync: Source, query: LifecycleQuery): Promise<LifecycleList> {
  const [bucketStart, bucketEnd] = bucketBounds(
    query.bucket,
    query.bucket + 1,
    query.unit,
    query.tz,
    query.weekStart
  ) as [number, number];
  if (bucketStart >= query.end)
    throw new QueryError(
      'bucket',
      new Date(query.bucket).toISOString(),
      `an instant of a bucket that starts before end (${new Date(query.end).toISOString()})`
    );
  const { unit, tz, weekStart } = query;
  const request: SeriesRequest = {
    bounds: [bucketStart, bucketEnd],
    start: bucketStart,
    end: Math.min(bucketEnd, query.end),
    unit,
    tz,
    weekStart,
  };
  const { index } = sync;
  const points = engagementPoints(request, ['returning']);
  const members = await withSlots(
    sync,
    () => index.missingSlotsAt(points),
    (raw) => lifecycleMembers(index, request, query.status, raw)
  );
  const named: { id: number; name: string }[] = [];
  const only = query.only ?? (() => true);
  forEachBit(members, (id) => {
    const name = index.userName(id) ?? '';
    if (only(name)) named.push({ id, name });
  });
  const kept = named.filter((m) => query.matches(m.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
  const page = kept.slice(0, query.limit);
  return {
    bucketStart,
    bucketEnd: request.end,
    count: named.length,
    rows: await lastLogins(sync, { start: lifecycleFrom(request), end: request.end, tz }, page),
    truncated: kept.length > query.limit,
  };
}

/** The exact last login in [start, end) of each of `people`. */
async function lastLogins(
  sync: Source,
  range: { start: number; end: number; tz: string },
  people: readonly { id: number; name: string }[]
): Promise<{ name: string; lastSeen: number }[]> {
  const tallies = await tallyUsersExact(sync, range);
  const byId = new Map(tallies.map((t) => [t.id, t]));
  await refineExact(
    sync,
    people.flatMap((p) => byId.get(p.id) ?? []),
    'last'
  );
  return people.map((p) => ({ name: p.name, lastSeen: byId.get(p.id)?.last ?? NaN }));
}
