import type { UsageCollections } from '../src/db/collections';
import { dayEventsFromChunks } from '../src/etl/day-events';
import type { Unit } from '../src/time/aggregate';
import { bucketBounds } from '../src/time/buckets';
import { DAY_MS } from '../src/time/utc-day';

/**
 * The original LoginCountHandler's method, for comparison: fetch every [user, timestamp] pair of the range
 * from MongoDB, then count distinct users per bucket (pandas groupby(Grouper).user.nunique()).
 */
export async function countLikeTheOriginal(
  cols: UsageCollections,
  start: number,
  end: number,
  unit: Unit,
  tz: string
): Promise<number[]> {
  const days = await cols.days
    .find({ day: { $gte: new Date(Math.floor(start / DAY_MS) * DAY_MS), $lt: new Date(end) } })
    .toArray();
  const chunks = await cols.chunks.find({ day: { $in: days.map((d) => d.day) } }).toArray();
  const current = new Set(days.map((d) => d.run));
  const pairs: [string, number][] = [];
  const byDay = new Map<number, typeof chunks>();
  for (const chunk of chunks) {
    if (!current.has(chunk.run)) continue;
    byDay.set(chunk.day.getTime(), [...(byDay.get(chunk.day.getTime()) ?? []), chunk]);
  }
  for (const [day, list] of byDay) {
    const events = dayEventsFromChunks(new Date(day), list);
    for (let i = 0; i < events.t.length; i += 1)
      pairs.push([events.users[events.u[i] ?? 0] ?? '', day + (events.t[i] ?? 0)]);
  }
  const bounds = bucketBounds(start, end, unit, tz);
  const sets = bounds.slice(1).map(() => new Set<string>());
  for (const [user, at] of pairs) {
    if (at < start || at >= end) continue;
    let lo = 0;
    let hi = bounds.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((bounds[mid] ?? 0) <= at) lo = mid;
      else hi = mid;
    }
    sets[lo]?.add(user);
  }
  return sets.map((s) => s.size);
}
