import { countBits, hasBit, orInto, popcount32 } from '../../core/bitset';

/** A set of users to filter by: its bitset, the words that hold any of them, and their ids (ascending). */
export interface UserMask {
  bits: Uint32Array;
  words: Int32Array;
  ids: Int32Array;
}

/** Work done by counts, for tests that check what a request costs (bitset words, slot entries, raw logins). */
export interface IndexWork {
  words: number;
  entries: number;
  raw: number;
  /** Users looked at one by one (a filter's users for new users). */
  users: number;
}

/** Whether an id passes the mask (everyone passes none). */
export function inMask(mask: UserMask | undefined, id: number): boolean {
  return !mask || hasBit(mask.bits, id);
}

/** The mask of the given ids in a population of `size` ids. */
export function maskOf(ids: Iterable<number>, size: number): UserMask {
  const bits = new Uint32Array(Math.ceil(size / 32));
  const unique = [...new Set(ids)].sort((a, b) => a - b);
  for (const id of unique) bits[id >>> 5] = (bits[id >>> 5] as number) | (1 << (id & 31));
  const words = [...new Set(unique.map((id) => id >>> 5))];
  return { bits, words: Int32Array.from(words), ids: Int32Array.from(unique) };
}

/** ORs `source` into `into`, only the mask's words when there is a mask. */
export function orMasked(
  into: Uint32Array,
  source: Uint32Array,
  mask: UserMask | undefined,
  work: IndexWork
): void {
  if (!mask) {
    orInto(into, source);
    work.words += source.length;
    return;
  }
  for (const w of mask.words) {
    if (w < source.length) into[w] = (into[w] as number) | ((source[w] as number) & (mask.bits[w] as number));
  }
  work.words += mask.words.length;
}

/** Counts the users set in `bits` (the mask's words only, with a mask) and clears them. */
export function countAndClear(bits: Uint32Array, mask: UserMask | undefined, work: IndexWork): number {
  if (!mask) {
    const n = countBits(bits);
    bits.fill(0);
    work.words += bits.length;
    return n;
  }
  let n = 0;
  for (const w of mask.words) {
    n += popcount32(bits[w] ?? 0);
    bits[w] = 0;
  }
  work.words += mask.words.length;
  return n;
}

/** The number of the mask's users set in `bits`. */
export function countMasked(bits: Uint32Array, mask: UserMask, work: IndexWork): number {
  let n = 0;
  for (const w of mask.words) n += popcount32((bits[w] ?? 0) & (mask.bits[w] as number));
  work.words += mask.words.length;
  return n;
}

/** Whether any of the mask's users is set in `bits`. */
export function touches(bits: Uint32Array, mask: UserMask, work: IndexWork): boolean {
  work.words += mask.words.length;
  for (const w of mask.words) if (((bits[w] ?? 0) & (mask.bits[w] as number)) !== 0) return true;
  return false;
}
