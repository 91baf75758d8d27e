import { SLOTS_PER_DAY } from '../core/units';
import type { IndexSync } from './index-loader';
import { IndexBusyError, IndexLoadingError } from './index-loader';
import type { Metric, RawSlots, UserMask } from './login-index';
import type { Tally } from './user-table';
import { refine, slotsToRefine, tallyUsers } from './user-table';

type CountSource = Pick<IndexSync, 'index' | 'readSlots' | 'progress' | 'reloadDays'>;

/**
 * Tries of a count whose slot logins no longer match the index before it answers 503. A try fails when the
 * index moved on while the slot was read (a refresh loaded a newer version of an open day, which gains a
 * segment every few minutes) or when the version read was replaced: each try is one indexed read of a few
 * slots, so several are cheap, and a replica that reconnects after an outage (slow reads while the index
 * catches up) still answers.
 */
const COUNT_TRIES = 8;

/**
 * Reads the logins of the slots a count needs (range edges inside a slot), then counts. The index may
 * change while they are read (a refresh swaps a day), and another process may have replaced the version of
 * a day this one loaded (its chunks are then gone): the read is checked against the index right before
 * counting, and a day that does not match is reloaded as it is now and read again. Only a day rewritten on
 * every one of the tries is an IndexBusyError (503, retry).
 */
export async function withSlots<T>(
  source: CountSource,
  needed: () => number[],
  compute: (raw: RawSlots) => T
): Promise<T> {
  const progress = source.progress();
  if (!progress.ready) throw new IndexLoadingError(progress);
  for (let attempt = 0; attempt < COUNT_TRIES; attempt += 1) {
    const slots = needed();
    const raw: RawSlots = slots.length > 0 ? await source.readSlots(slots) : new Map();
    const stale = needed().filter((slot) => raw.get(slot)?.t.length !== source.index.slotLogins(slot));
    if (stale.length === 0) return compute(raw);
    await source.reloadDays([...new Set(stale.map((slot) => Math.floor(slot / SLOTS_PER_DAY)))]);
  }
  throw new IndexBusyError();
}

export interface CountRequest {
  bounds: readonly number[];
  start: number;
  end: number;
  metrics: readonly Metric[];
  mask?: UserMask | undefined;
}

/** Exact counts per bucket (LoginIndex.count) with the slot logins they need read from home.login. */
export function countExact(source: CountSource, request: CountRequest): Promise<Record<Metric, number[]>> {
  const { bounds, start, end, metrics, mask } = request;
  return withSlots(
    source,
    () => source.index.missingSlots(bounds, start, end),
    (raw) => source.index.count(bounds, start, end, metrics, { mask, raw })
  );
}

/** The users of [start, end), sorted, with the slot logins the range's edges need. */
export function usersBetweenExact(source: CountSource, start: number, end: number): Promise<string[]> {
  return withSlots(
    source,
    () => source.index.missingSlots([], start, end),
    (raw) => source.index.usersBetween(start, end, raw)
  );
}

/** Everybody's tally of [start, end) (user-table.ts tallyUsers), with the slot logins the range's edges need. */
export function tallyUsersExact(
  source: CountSource,
  range: { start: number; end: number; tz: string }
): Promise<Tally[]> {
  const { start, end, tz } = range;
  return withSlots(
    source,
    () => source.index.missingSlotsAt([start, end]),
    (raw) => tallyUsers(source.index, start, end, tz, raw)
  );
}

/** Makes the first and last logins of `rows` (or only their last) exact, reading their slots' logins. */
export function refineExact(
  source: CountSource,
  rows: readonly Tally[],
  which: 'both' | 'last' = 'both'
): Promise<void> {
  return withSlots(
    source,
    () => slotsToRefine(rows, which),
    (raw) => refine(rows, raw)
  );
}
