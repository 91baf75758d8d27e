import { SLOTS_PER_DAY } from '../../core/units';
import type { IndexedDay, RawLogins } from './indexed-day';
import { indexDay } from './indexed-day';
import { UNKNOWN_KEY_ID } from './key-first-seen';

/**
 * Which request keys a filter or a series keeps: `allowed[key]` is 1 for each kept key id (ids past its end
 * are not kept).
 */
export type AllowedKeys = Uint8Array;

/** Only the logins of allowed keys; undefined when none is left. */
export function filterRaw(raw: RawLogins, allowed: AllowedKeys): RawLogins {
  const keep: number[] = [];
  for (let j = 0; j < raw.t.length; j += 1) if (allowed[raw.k?.[j] ?? UNKNOWN_KEY_ID] === 1) keep.push(j);
  if (keep.length === raw.t.length) return raw;
  const pick = (a: Int32Array) => Int32Array.from(keep, (j) => a[j] as number);
  return raw.k ? { t: pick(raw.t), u: pick(raw.u), k: pick(raw.k) } : { t: pick(raw.t), u: pick(raw.u) };
}

/**
 * The day as if sys.log held only the logins of allowed keys: its slot summary rebuilt from the split by key
 * (each user once per slot, with the logins of their allowed keys), indexed for `userCount` users; undefined
 * when nothing is left. A day without a split holds only the unknown key.
 */
export function deriveDay(day: IndexedDay, allowed: AllowedKeys, userCount: number): IndexedDay | undefined {
  const { dims } = day;
  if (!dims) return allowed[UNKNOWN_KEY_ID] === 1 ? day : undefined;
  const { offsets, ids, keys, multiAt, multiCount } = dims;
  const outOffsets = new Uint32Array(SLOTS_PER_DAY + 1);
  const loginsBefore = new Uint32Array(SLOTS_PER_DAY + 1);
  const outIds: number[] = [];
  const counts: number[] = [];
  let m = 0;
  let logins = 0;
  for (let s = 0; s < SLOTS_PER_DAY; s += 1) {
    const slotStart = outIds.length;
    for (let e = offsets[s] as number; e < (offsets[s + 1] as number); e += 1) {
      const count = multiAt[m] === e ? (multiCount[m++] as number) : 1;
      if (allowed[keys[e] as number] !== 1) continue;
      const id = ids[e] as number;
      logins += count;
      // Entries are sorted by user, then key: a user's allowed keys in a slot are adjacent.
      if (outIds.length > slotStart && outIds[outIds.length - 1] === id)
        counts[counts.length - 1] = (counts[counts.length - 1] as number) + count;
      else {
        outIds.push(id);
        counts.push(count);
      }
    }
    outOffsets[s + 1] = outIds.length;
    loginsBefore[s + 1] = logins;
  }
  if (logins === 0) return undefined;
  const multi = counts.flatMap((c, e) => (c > 1 ? [e] : []));
  const idArrayOf = userCount < 0x10000 ? Uint16Array.from(outIds) : Uint32Array.from(outIds);
  const slots = {
    offsets: outOffsets,
    ids: idArrayOf,
    loginsBefore,
    multiAt: Uint32Array.from(multi),
    multiCount: Uint32Array.from(multi, (e) => counts[e] as number),
  };
  return indexDay(slots, day.raw && filterRaw(day.raw, allowed), userCount);
}
