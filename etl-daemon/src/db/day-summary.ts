import type { Collection } from 'mongodb';
import { Binary } from 'mongodb';
import type { DaySlots } from '../core/day-slots';
import { buildDaySlots } from '../core/day-slots';
import type { NameBatchDoc, NameDictionary } from './user-names';
import { ensureNames } from './user-names';
import { SLOTS_PER_DAY } from '../core/units';

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

/** Splits a day's summary into parts of whole slots, each of at most `maxEntries` entries (or one slot). */
export function encodeSummary(slots: DaySlots, maxEntries = MAX_SUMMARY_ENTRIES): SummaryPart[] {
  const parts: SummaryPart[] = [];
  let multi = 0;
  for (let from = 0; from < SLOTS_PER_DAY || (parts.length === 0 && from === 0);) {
    let to = from + 1;
    const base = slots.offsets[from] ?? 0;
    while (to < SLOTS_PER_DAY && (slots.offsets[to + 1] ?? 0) - base <= maxEntries) to += 1;
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
): { slots: DaySlots; maxId: number } | undefined {
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
  return {
    slots: {
      offsets,
      ids: concatenated(idParts, entries),
      loginsBefore,
      multiAt: Uint32Array.from(multiAt),
      multiCount: Uint32Array.from(multiCount),
    },
    maxId,
  };
}

/**
 * The stored summary of a day's logins (`t` ms since the day began, `names` the user of each login), with
 * dictionary ids: names the dictionary lacks are appended first. What the job and `summarize` write.
 */
export async function summaryWithNames(
  col: Collection<NameBatchDoc>,
  dict: NameDictionary,
  logins: { t: ArrayLike<number>; names: readonly string[] },
  now: Date
): Promise<SummaryPart[]> {
  await ensureNames(col, dict, logins.names, now);
  return encodeSummary(
    buildDaySlots(
      logins.t,
      logins.names.map((name) => dict.ids.get(name) ?? 0)
    )
  );
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
