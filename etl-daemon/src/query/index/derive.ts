import type { DimSlots, KeyedDay } from '../../core/dim-slots';
import { idArray } from '../../core/day-slots';
import { SLOTS_PER_DAY } from '../../core/units';
import type { IndexedDay, RawLogins } from './indexed-day';
import { indexDay } from './indexed-day';
import { UNKNOWN_KEY_ID } from './key-first-seen';

/**
 * Which request keys a filter or a series keeps: `allowed[key]` is 1 for each kept key id (ids past its end
 * are not kept).
 */
export type AllowedKeys = Uint8Array;

/**
 * The series each request key belongs to (-1: none) for several disjoint filters derived together (a
 * breakdown's values): `seriesOfKey[key]`, ids past its end in none.
 */
export interface KeySeries {
  seriesOfKey: Int32Array;
  count: number;
}

/** The series of disjoint filters; undefined when a key is in two of them (they are derived apart). */
export function keySeries(list: readonly AllowedKeys[]): KeySeries | undefined {
  const length = Math.max(0, ...list.map((a) => a.length));
  const seriesOfKey = new Int32Array(length).fill(-1);
  for (const [s, allowed] of list.entries()) {
    for (let key = 0; key < allowed.length; key += 1) {
      if (allowed[key] !== 1) continue;
      if (seriesOfKey[key] !== -1) return undefined;
      seriesOfKey[key] = s;
    }
  }
  return { seriesOfKey, count: list.length };
}

/** Only the logins of allowed keys; undefined when none is left. */
export function filterRaw(raw: RawLogins, allowed: AllowedKeys): RawLogins {
  const keep: number[] = [];
  for (let j = 0; j < raw.t.length; j += 1) if (allowed[raw.k?.[j] ?? UNKNOWN_KEY_ID] === 1) keep.push(j);
  if (keep.length === raw.t.length) return raw;
  const pick = (a: Int32Array) => Int32Array.from(keep, (j) => a[j] as number);
  return raw.k ? { t: pick(raw.t), u: pick(raw.u), k: pick(raw.k) } : { t: pick(raw.t), u: pick(raw.u) };
}

/** One series' day being built: its entries (each user once per slot), their logins, per slot offsets. */
interface Building {
  ids: Uint32Array;
  counts: Uint32Array;
  out: number;
  slotStart: number;
  repeats: number;
  logins: number;
  offsets: Uint32Array;
  loginsBefore: Uint32Array;
}

/** How many entries of the day each series may hold (its keys' entries): the size of its arrays. */
function entriesPerSeries(dims: DimSlots, series: KeySeries): Uint32Array {
  const sizes = new Uint32Array(series.count);
  const { keys } = dims;
  const { seriesOfKey } = series;
  for (let e = 0; e < keys.length; e += 1) {
    const s = seriesOfKey[keys[e] as number] ?? -1;
    if (s >= 0) sizes[s] = (sizes[s] as number) + 1;
  }
  return sizes;
}

/** Every series' entries of a day's split, in one pass: per slot each user once, with their logins. */
function buildSeries(day: KeyedDay, series: KeySeries): Building[] {
  const sizes = entriesPerSeries(day.dims, series);
  // One object literal, not spreads: objects made by spreading have slower field access, and these fields
  // are read per entry (3x the derivation's time, profiled).
  const built: Building[] = Array.from(sizes, (size) => ({
    ids: new Uint32Array(size),
    counts: new Uint32Array(size),
    out: 0,
    slotStart: 0,
    repeats: 0,
    logins: 0,
    offsets: new Uint32Array(SLOTS_PER_DAY + 1),
    loginsBefore: new Uint32Array(SLOTS_PER_DAY + 1),
  }));
  const { offsets, ids } = day.slots;
  const { keys, runAt, runLength, multiAt, multiCount } = day.dims;
  const { seriesOfKey } = series;
  let d = 0;
  let r = 0;
  let m = 0;
  for (let s = 0; s < SLOTS_PER_DAY; s += 1) {
    for (const b of built) b.slotStart = b.out;
    for (let e = offsets[s] as number; e < (offsets[s + 1] as number); e += 1) {
      const id = ids[e] as number;
      // The user's keys in this slot follow each other: one, or a run listed apart.
      const end = d + (runAt[r] === e ? (runLength[r++] as number) : 1);
      for (; d < end; d += 1) {
        const count = multiAt[m] === d ? (multiCount[m++] as number) : 1;
        const target = seriesOfKey[keys[d] as number] ?? -1;
        // Checked before indexing: an array read at -1 is a slow property lookup.
        if (target < 0) continue;
        const b = built[target] as Building;
        b.logins += count;
        // Two keys of one series: the user's entry of the series in this slot is the last one written.
        if (b.out > b.slotStart && b.ids[b.out - 1] === id) {
          if (b.counts[b.out - 1] === 1) b.repeats += 1;
          b.counts[b.out - 1] = (b.counts[b.out - 1] as number) + count;
        } else {
          b.ids[b.out] = id;
          b.counts[b.out] = count;
          if (count > 1) b.repeats += 1;
          b.out += 1;
        }
      }
    }
    for (const b of built) {
      b.offsets[s + 1] = b.out;
      b.loginsBefore[s + 1] = b.logins;
    }
  }
  return built;
}

/** A built series' day, indexed; undefined when it holds no login. */
function finish(b: Building, raw: RawLogins | undefined, userCount: number): IndexedDay | undefined {
  if (b.logins === 0) return undefined;
  const multiAt = new Uint32Array(b.repeats);
  const multiCount = new Uint32Array(b.repeats);
  for (let e = 0, r = 0; e < b.out; e += 1) {
    if ((b.counts[e] as number) > 1) {
      multiAt[r] = e;
      multiCount[r] = b.counts[e] as number;
      r += 1;
    }
  }
  const ids = idArray(b.out, userCount);
  ids.set(b.ids.subarray(0, b.out));
  const slots = { offsets: b.offsets, ids, loginsBefore: b.loginsBefore, multiAt, multiCount };
  return indexDay(slots, raw, userCount);
}

/**
 * The day as if sys.log held only the logins of each series' keys, for every series in one pass over the
 * day's split: each series' slot summary rebuilt (each user once per slot, with the logins of its keys),
 * indexed for `userCount` users; undefined for a series with nothing left. A day without a split holds only
 * the unknown key.
 */
export function deriveDays(
  day: IndexedDay,
  series: KeySeries,
  userCount: number
): (IndexedDay | undefined)[] {
  const out: (IndexedDay | undefined)[] = new Array<IndexedDay | undefined>(series.count).fill(undefined);
  const { dims, slots } = day;
  if (!dims) {
    const s = series.seriesOfKey[UNKNOWN_KEY_ID] ?? -1;
    if (s >= 0) out[s] = day;
    return out;
  }
  const allowedOf = (s: number) => Uint8Array.from(series.seriesOfKey, (x) => (x === s ? 1 : 0));
  return buildSeries({ slots, dims }, series).map((b, s) =>
    finish(b, day.raw && filterRaw(day.raw, allowedOf(s)), userCount)
  );
}

/**
 * Several series derived together: the first of them to need a day derives it for all (one pass over the
 * day's split), the others take theirs; a day is derived again when its base version changes.
 */
export class GroupDerivation {
  private readonly done = new Map<number, { serial: number; days: (IndexedDay | undefined)[] }>();

  constructor(
    private readonly series: KeySeries,
    private readonly userCount: () => number
  ) {}

  day(dayNumber: number, base: IndexedDay, s: number): IndexedDay | undefined {
    let derived = this.done.get(dayNumber);
    if (derived?.serial !== base.serial) {
      derived = { serial: base.serial, days: deriveDays(base, this.series, this.userCount()) };
      this.done.set(dayNumber, derived);
    }
    return derived.days[s];
  }
}
