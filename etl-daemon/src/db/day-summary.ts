import type { Collection } from 'mongodb';
import { Binary } from 'mongodb';
import type { DaySlots } from '../core/day-slots';
import { buildDaySlots } from '../core/day-slots';
import type { NameBatchDoc, NameDictionary } from './user-names';
import { ensureNames } from './user-names';
import { SLOTS_PER_DAY } from '../core/units';
import type { DimSlots } from '../core/dim-slots';
import { buildDimSlots, keyArray } from '../core/dim-slots';
import { Interner } from '../core/interner';
import { UNKNOWN_KEY } from '../etl/dimensions';

/**
 * home.login.summary: a UTC day's slot summary (query/day-slots.ts) as written by one run, with user ids
 * from home.login.names. Usually one document per day; a day with more than MAX_SUMMARY_ENTRIES (user, slot)
 * pairs is split by slot ranges (`part` 0, 1, …). Arrays are little-endian binary: the index loads them
 * without decoding numbers one by one.
 */
export interface SummaryDoc {
  day: Date;
  run: string;
  fence: number;
  part: number;
  writtenAt: Date;
  /** Slots [slotFrom, slotTo) of the day. */
  slotFrom: number;
  slotTo: number;
  /** Entries before each slot of the part (relative to the part), slotTo - slotFrom + 1 Uint32. */
  offsets: Binary;
  /** Dictionary ids, Uint32 per entry. */
  ids: Binary;
  /** Logins per slot, Uint32. */
  slotLogins: Binary;
  /** Entries (relative to the part) with more than one login, and their counts; Uint32 each. */
  multiAt: Binary;
  multiCount: Binary;
  /**
   * The same slots by user and request key (core/dim-slots.ts), when a login of the day has a known handler
   * or host: the day's key names; per entry of the part (user and slot) how many keys it used (`dimRuns`),
   * then per (user, slot, key), in that order, an index into `keyNames` (`dimKeys`) and the repeats. Runs and
   * keys take 1, 2 or 4 bytes each, as their largest needs (the width is the field's length over its count).
   * Absent on days stored before dimensions were kept.
   */
  keyNames?: string[];
  dimRuns?: Binary;
  dimKeys?: Binary;
  dimMultiAt?: Binary;
  dimMultiCount?: Binary;
}

/** A day's slots by user and request key, with the key names its key ids index. */
export interface DayDims {
  dims: DimSlots;
  keyNames: readonly string[];
}

export type SummaryPart = Omit<SummaryDoc, 'day' | 'run' | 'fence' | 'writtenAt'>;

/** 1,000,000 entries are 4 MB of ids: a part stays far below MongoDB's 16 MiB document limit. */
const MAX_SUMMARY_ENTRIES = 1_000_000;

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new Error('core4-usage stores summaries as little-endian arrays and needs a little-endian CPU');
}

function binary(values: Uint32Array): Binary {
  return new Binary(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
}

/** A copy of a binary field as Uint32 (the driver's buffer need not be 4-byte aligned). */
function uint32(value: Binary): Uint32Array {
  const bytes = value.buffer.subarray(0, value.length());
  const copy = new Uint8Array(bytes.length - (bytes.length % 4));
  copy.set(bytes.subarray(0, copy.length));
  return new Uint32Array(copy.buffer);
}

/** Unsigned values in 1, 2 or 4 bytes each, as the largest of them needs. */
function packed(values: ArrayLike<number>): Binary {
  let max = 0;
  for (let k = 0; k < values.length; k += 1) if ((values[k] as number) > max) max = values[k] as number;
  const array =
    max < 0x100
      ? Uint8Array.from(values)
      : max < 0x10000
        ? Uint16Array.from(values)
        : Uint32Array.from(values);
  return new Binary(Buffer.from(array.buffer, array.byteOffset, array.byteLength));
}

/** The `count` values of a packed field (their width its length over `count`); undefined when it does not fit. */
function unpacked(value: Binary, count: number): Uint8Array | Uint16Array | Uint32Array | undefined {
  const bytes = value.buffer.subarray(0, value.length());
  if (count === 0) return bytes.length === 0 ? new Uint8Array(0) : undefined;
  const width = bytes.length / count;
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  if (width === 1) return copy;
  if (width === 2) return new Uint16Array(copy.buffer);
  return width === 4 ? new Uint32Array(copy.buffer) : undefined;
}

/**
 * Per entry of the summary (user and slot), how many keys its split gives it (runs of one are not listed in
 * the split). Throws when the two were not built together.
 */
function runsOf(slots: DaySlots, dims: DimSlots): Uint32Array {
  const runs = new Uint32Array(slots.ids.length).fill(1);
  for (let r = 0; r < dims.runAt.length; r += 1) runs[dims.runAt[r] as number] = dims.runLength[r] as number;
  for (let s = 0, e = 0; s < SLOTS_PER_DAY; s += 1) {
    let keys = 0;
    for (; e < (slots.offsets[s + 1] as number); e += 1) keys += runs[e] as number;
    if (keys !== (dims.offsets[s + 1] as number) - (dims.offsets[s] as number))
      throw new RangeError(`encodeSummary: the split by key of slot ${s} differs from the summary`);
  }
  return runs;
}

/** The entries of slots [from, to) of a summary and of its split by key together. */
function entriesIn(slots: DaySlots, dims: DimSlots | undefined, from: number, to: number): number {
  const of = (offsets: Uint32Array) => (offsets[to] ?? 0) - (offsets[from] ?? 0);
  return of(slots.offsets) + (dims ? of(dims.offsets) : 0);
}

/** The repeats of entries [e0, e1), relative to e0, from a sorted list of repeats starting at `m`. */
function repeatsIn(
  multi: { at: Uint32Array; count: Uint32Array; m: number },
  e0: number,
  e1: number
): { at: Uint32Array; count: Uint32Array } {
  const at: number[] = [];
  const count: number[] = [];
  for (; multi.m < multi.at.length && (multi.at[multi.m] ?? 0) < e1; multi.m += 1) {
    at.push((multi.at[multi.m] ?? 0) - e0);
    count.push(multi.count[multi.m] ?? 0);
  }
  return { at: Uint32Array.from(at), count: Uint32Array.from(count) };
}

/** The split by key of slots [from, to), as a part's fields. */
function dimPart(
  day: DayDims & { runs: Uint32Array; baseOffsets: Uint32Array },
  multi: { at: Uint32Array; count: Uint32Array; m: number },
  from: number,
  to: number
): Partial<SummaryPart> {
  const { dims } = day;
  const e0 = dims.offsets[from] ?? 0;
  const e1 = dims.offsets[to] ?? 0;
  const repeats = repeatsIn(multi, e0, e1);
  return {
    keyNames: [...day.keyNames],
    dimRuns: packed(day.runs.subarray(day.baseOffsets[from], day.baseOffsets[to])),
    dimKeys: packed(dims.keys.subarray(e0, e1)),
    dimMultiAt: binary(repeats.at),
    dimMultiCount: binary(repeats.count),
  };
}

/**
 * Splits a day's summary (and its split by key, when given) into parts of whole slots, each of at most
 * `maxEntries` entries of both together (or one slot).
 */
export function encodeSummary(
  slots: DaySlots,
  maxEntries = MAX_SUMMARY_ENTRIES,
  day?: DayDims
): SummaryPart[] {
  const parts: SummaryPart[] = [];
  let multi = 0;
  const dimMulti = day && { at: day.dims.multiAt, count: day.dims.multiCount, m: 0 };
  const withRuns = day && { ...day, runs: runsOf(slots, day.dims), baseOffsets: slots.offsets };
  for (let from = 0; from < SLOTS_PER_DAY || (parts.length === 0 && from === 0);) {
    let to = from + 1;
    const base = slots.offsets[from] ?? 0;
    while (to < SLOTS_PER_DAY && entriesIn(slots, day?.dims, from, to + 1) <= maxEntries) to += 1;
    const end = slots.offsets[to] ?? 0;
    const multiAt: number[] = [];
    const multiCount: number[] = [];
    for (; multi < slots.multiAt.length && (slots.multiAt[multi] ?? 0) < end; multi += 1) {
      multiAt.push((slots.multiAt[multi] ?? 0) - base);
      multiCount.push(slots.multiCount[multi] ?? 0);
    }
    const offsets = Uint32Array.from(slots.offsets.subarray(from, to + 1), (o) => o - base);
    const slotLogins = Uint32Array.from(
      { length: to - from },
      (_, k) => (slots.loginsBefore[from + k + 1] ?? 0) - (slots.loginsBefore[from + k] ?? 0)
    );
    parts.push({
      part: parts.length,
      slotFrom: from,
      slotTo: to,
      offsets: binary(offsets),
      ids: binary(Uint32Array.from(slots.ids.subarray(base, end))),
      slotLogins: binary(slotLogins),
      multiAt: binary(Uint32Array.from(multiAt)),
      multiCount: binary(Uint32Array.from(multiCount)),
      ...(withRuns && dimMulti ? dimPart(withRuns, dimMulti, from, to) : {}),
    });
    from = to;
  }
  return parts;
}

/**
 * Joins a day's parts (any order) back into one summary with the stored (dictionary) ids; undefined when
 * they do not cover the day's 96 slots exactly once (a part missing or left from another write).
 */
export function decodeSummary(
  parts: readonly Pick<SummaryDoc, keyof SummaryPart>[]
): { slots: DaySlots; maxId: number; dims?: DayDims } | undefined {
  const sorted = [...parts].sort((a, b) => a.slotFrom - b.slotFrom);
  const offsets = new Uint32Array(SLOTS_PER_DAY + 1);
  const loginsBefore = new Uint32Array(SLOTS_PER_DAY + 1);
  const idParts: Uint32Array[] = [];
  const multiAt: number[] = [];
  const multiCount: number[] = [];
  let slot = 0;
  let entries = 0;
  let maxId = 0;
  for (const part of sorted) {
    if (part.slotFrom !== slot || part.slotTo <= part.slotFrom || part.slotTo > SLOTS_PER_DAY)
      return undefined;
    const partOffsets = uint32(part.offsets);
    const partLogins = uint32(part.slotLogins);
    const ids = uint32(part.ids);
    if (partOffsets.length !== part.slotTo - part.slotFrom + 1 || partOffsets.at(-1) !== ids.length)
      return undefined;
    for (let k = 0; k < part.slotTo - part.slotFrom; k += 1) {
      offsets[slot + k + 1] = entries + (partOffsets[k + 1] ?? 0);
      loginsBefore[slot + k + 1] = (loginsBefore[slot + k] ?? 0) + (partLogins[k] ?? 0);
    }
    const at = uint32(part.multiAt);
    const count = uint32(part.multiCount);
    for (let k = 0; k < at.length; k += 1) {
      multiAt.push(entries + (at[k] ?? 0));
      multiCount.push(count[k] ?? 0);
    }
    for (const id of ids) if (id > maxId) maxId = id;
    idParts.push(ids);
    entries += ids.length;
    slot = part.slotTo;
  }
  if (slot !== SLOTS_PER_DAY) return undefined;
  const slots = {
    offsets,
    ids: concatenated(idParts, entries),
    loginsBefore,
    multiAt: Uint32Array.from(multiAt),
    multiCount: Uint32Array.from(multiCount),
  };
  const dims = decodeDims(sorted, slots);
  return {
    ...(dims ? { dims } : {}),
    slots,
    maxId,
  };
}

/** Each part's split, read and checked against the summary; undefined when one is missing or does not fit. */
function dimParts(sorted: readonly Pick<SummaryDoc, keyof SummaryPart>[], base: DaySlots, keyCount: number) {
  const parts = [];
  let total = 0;
  for (const part of sorted) {
    if (!part.dimRuns || !part.dimKeys || !part.dimMultiAt || !part.dimMultiCount) return undefined;
    const e0 = base.offsets[part.slotFrom] as number;
    const runs = unpacked(part.dimRuns, (base.offsets[part.slotTo] as number) - e0);
    if (!runs) return undefined;
    let count = 0;
    for (let k = 0; k < runs.length; k += 1) {
      if (runs[k] === 0) return undefined;
      count += runs[k] as number;
    }
    const keys = unpacked(part.dimKeys, count);
    if (!keys) return undefined;
    for (let k = 0; k < keys.length; k += 1) if ((keys[k] as number) >= keyCount) return undefined;
    const repeats = { at: uint32(part.dimMultiAt), count: uint32(part.dimMultiCount) };
    parts.push({ part, runs, keys, e0, d0: total, repeats });
    total += count;
  }
  return { parts, total };
}

/**
 * The split by key of a day's parts (sorted, checked to cover the day), when every part holds one and fits
 * the summary; undefined for a day stored before dimensions were kept, and when the parts disagree (then the
 * day is all unknown). Held as stored: keys and the few runs longer than one, users left in the summary.
 */
function decodeDims(
  sorted: readonly Pick<SummaryDoc, keyof SummaryPart>[],
  base: DaySlots
): DayDims | undefined {
  const keyNames = sorted[0]?.keyNames;
  const read = keyNames && dimParts(sorted, base, keyNames.length);
  if (!keyNames || !read) return undefined;
  const offsets = new Uint32Array(SLOTS_PER_DAY + 1);
  const keys = keyArray(read.total, keyNames.length);
  const runAt: number[] = [];
  const runLength: number[] = [];
  const multiAt: number[] = [];
  const multiCount: number[] = [];
  for (const { part, runs, keys: partKeys, e0, d0, repeats } of read.parts) {
    keys.set(partKeys, d0);
    let d = d0;
    for (let s = part.slotFrom; s < part.slotTo; s += 1) {
      for (let e = base.offsets[s] as number; e < (base.offsets[s + 1] as number); e += 1) {
        const run = runs[e - e0] as number;
        d += run;
        if (run === 1) continue;
        runAt.push(e);
        runLength.push(run);
      }
      offsets[s + 1] = d;
    }
    for (let k = 0; k < repeats.at.length; k += 1) {
      multiAt.push(d0 + (repeats.at[k] ?? 0));
      multiCount.push(repeats.count[k] ?? 0);
    }
  }
  const dims = {
    offsets,
    keys,
    runAt: Uint32Array.from(runAt),
    runLength: Uint32Array.from(runLength),
    multiAt: Uint32Array.from(multiAt),
    multiCount: Uint32Array.from(multiCount),
  };
  return { keyNames, dims };
}

/** A day's split by key from its logins (`keys` per login), or undefined when every key is unknown. */
export function dayDims(
  logins: { t: ArrayLike<number>; keys: readonly string[] },
  ids: ArrayLike<number>
): DayDims | undefined {
  if (logins.keys.every((key) => key === UNKNOWN_KEY)) return undefined;
  const names = new Interner();
  const keyIds = logins.keys.map((key) => names.id(key));
  return { dims: buildDimSlots(logins.t, ids, keyIds), keyNames: names.names };
}

/**
 * The stored summary of a day's logins (`t` ms since the day began, `names` the user of each login, `keys`
 * its handler and host), with dictionary ids: names the dictionary lacks are appended first. What the job and `summarize` write.
 */
export async function summaryWithNames(
  col: Collection<NameBatchDoc>,
  dict: NameDictionary,
  logins: { t: ArrayLike<number>; names: readonly string[]; keys?: readonly string[] },
  now: Date
): Promise<SummaryPart[]> {
  await ensureNames(col, dict, logins.names, now);
  const ids = logins.names.map((name) => dict.ids.get(name) ?? 0);
  const dims = logins.keys && dayDims({ t: logins.t, keys: logins.keys }, ids);
  return encodeSummary(buildDaySlots(logins.t, ids), MAX_SUMMARY_ENTRIES, dims);
}

/** The arrays one after the other in one array of `length`. */
function concatenated(parts: readonly Uint32Array[], length: number): Uint32Array {
  const out = new Uint32Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
