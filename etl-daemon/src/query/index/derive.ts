import type { DimSlots } from '../../core/dim-slots';
import { SLOTS_PER_DAY } from '../../core/units';
import type { IndexedDay, RawLogins } from './indexed-day';
import { indexDay } from './indexed-day';
import { UNKNOWN_KEY_ID } from './key-first-seen';

/**
 * Which request keys a filter or a series keeps: `allowed[key]` is 1 for each kept key id (ids past its end
 * are not kept).
 */
export type AllowedKeys = Uint8Array;

/** Scratch for a derived day's entries and their logins, reused by every derivation (one at a time). */
let outScratch = new Uint32Array(1024);
let countScratch = new Uint32Array(1024);

/** Only the logins of allowed keys; undefined when none is left. */
export function filterRaw(raw: RawLogins, allowed: AllowedKeys): RawLogins {
  const keep: number[] = [];
  for (let j = 0; j < raw.t.length; j += 1) if (allowed[raw.k?.[j] ?? UNKNOWN_KEY_ID] === 1) keep.push(j);
  if (keep.length === raw.t.length) return raw;
  const pick = (a: Int32Array) => Int32Array.from(keep, (j) => a[j] as number);
  return raw.k ? { t: pick(raw.t), u: pick(raw.u), k: pick(raw.k) } : { t: pick(raw.t), u: pick(raw.u) };
}

/** The allowed entries of a day's split, per slot each user once with their logins, in the scratch arrays. */
function keptEntries(
  dims: DimSlots,
  allowed: AllowedKeys
): { out: number; logins: number; repeats: number; offsets: Uint32Array; loginsBefore: Uint32Array } {
  const { offsets, ids, keys, multiAt, multiCount } = dims;
  const outOffsets = new Uint32Array(SLOTS_PER_DAY + 1);
  const loginsBefore = new Uint32Array(SLOTS_PER_DAY + 1);
  // The scratch is as long as the day's split: the most a derived day can hold.
  if (outScratch.length < ids.length) {
    outScratch = new Uint32Array(Math.max(ids.length, outScratch.length * 2));
    countScratch = new Uint32Array(outScratch.length);
  }
  const outIds = outScratch;
  const counts = countScratch;
  let out = 0;
  let repeats = 0;
  let m = 0;
  let logins = 0;
  for (let s = 0; s < SLOTS_PER_DAY; s += 1) {
    const slotStart = out;
    for (let e = offsets[s] as number; e < (offsets[s + 1] as number); e += 1) {
      const count = multiAt[m] === e ? (multiCount[m++] as number) : 1;
      if (allowed[keys[e] as number] !== 1) continue;
      const id = ids[e] as number;
      logins += count;
      // Entries are sorted by user, then key: a user's allowed keys in a slot are adjacent.
      if (out > slotStart && outIds[out - 1] === id) {
        if (counts[out - 1] === 1) repeats += 1;
        counts[out - 1] = (counts[out - 1] as number) + count;
      } else {
        outIds[out] = id;
        counts[out] = count;
        if (count > 1) repeats += 1;
        out += 1;
      }
    }
    outOffsets[s + 1] = out;
    loginsBefore[s + 1] = logins;
  }
  return { out, logins, repeats, offsets: outOffsets, loginsBefore };
}

/**
 * The day as if sys.log held only the logins of allowed keys: its slot summary rebuilt from the split by key
 * (each user once per slot, with the logins of their allowed keys), indexed for `userCount` users; undefined
 * when nothing is left. A day without a split holds only the unknown key.
 */
export function deriveDay(day: IndexedDay, allowed: AllowedKeys, userCount: number): IndexedDay | undefined {
  const { dims } = day;
  if (!dims) return allowed[UNKNOWN_KEY_ID] === 1 ? day : undefined;
  const kept = keptEntries(dims, allowed);
  if (kept.logins === 0) return undefined;
  const multiAt = new Uint32Array(kept.repeats);
  const multiCount = new Uint32Array(kept.repeats);
  for (let e = 0, r = 0; e < kept.out; e += 1) {
    if ((countScratch[e] as number) > 1) {
      multiAt[r] = e;
      multiCount[r] = countScratch[e] as number;
      r += 1;
    }
  }
  const ids = userCount < 0x10000 ? new Uint16Array(kept.out) : new Uint32Array(kept.out);
  ids.set(outScratch.subarray(0, kept.out));
  const slots = { offsets: kept.offsets, ids, loginsBefore: kept.loginsBefore, multiAt, multiCount };
  return indexDay(slots, day.raw && filterRaw(day.raw, allowed), userCount);
}
