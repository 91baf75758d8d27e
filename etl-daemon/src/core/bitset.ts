/** Dense bitsets over integer user ids: the representation that makes exact distinct counts cheap. */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/*
 * The loops below read typed-array elements with `as number`: indexes are in bounds by construction, and a
 * `?? 0` on every element halves the speed of the ORs that answer a bucket.
 */

export function countBits(bits: Uint32Array): number {
  let n = 0;
  for (let i = 0; i < bits.length; i += 1) n += popcount32(bits[i] as number);
  return n;
}

export function setBit(bits: Uint32Array, id: number): void {
  const word = id >>> 5;
  bits[word] = (bits[word] ?? 0) | (1 << (id & 31));
}

export function hasBit(bits: Uint32Array, id: number): boolean {
  return ((bits[id >>> 5] ?? 0) & (1 << (id & 31))) !== 0;
}

/** target |= source; source may be shorter than target (users added since it was built). */
export function orInto(target: Uint32Array, source: Uint32Array): void {
  const n = Math.min(target.length, source.length);
  for (let i = 0; i < n; i += 1) target[i] = (target[i] as number) | (source[i] as number);
}

/** Calls `visit` with every id set in `bits`, ascending. */
export function forEachBit(bits: Uint32Array, visit: (id: number) => void): void {
  for (let w = 0; w < bits.length; w += 1) {
    let word = bits[w] as number;
    while (word !== 0) {
      const low = word & -word;
      visit(w * 32 + 31 - Math.clz32(low));
      word ^= low;
    }
  }
}

/** A bitset sized for ids 0 … n-1. */
export function bitsFor(n: number): Uint32Array {
  return new Uint32Array(Math.ceil(n / 32));
}

/** Sets the bits of every id in `ids` (a bitset already sized for them). */
export function setBits(bits: Uint32Array, ids: ArrayLike<number>, from = 0, to = ids.length): void {
  for (let e = from; e < to; e += 1) {
    const id = ids[e] as number;
    bits[id >>> 5] = (bits[id >>> 5] as number) | (1 << (id & 31));
  }
}

/** The number of ids set in both bitsets (b may be shorter). */
export function countAnd(a: Uint32Array, b: Uint32Array): number {
  let n = 0;
  for (let w = 0; w < a.length; w += 1) n += popcount32((a[w] as number) & (b[w] ?? 0));
  return n;
}

/**
 * Counts, per id, how many of the added bitsets hold it, in bit planes (a vertical binary counter): adding a
 * bitset costs its words (and a carry that rarely runs far), not its set bits.
 */
export class BitCounter {
  private readonly planes: Uint32Array[] = [];

  constructor(private readonly words: number) {}

  add(bits: Uint32Array): void {
    const n = Math.min(this.words, bits.length);
    for (let w = 0; w < n; w += 1) {
      let carry = bits[w] as number;
      for (let k = 0; carry !== 0; k += 1) {
        if (k === this.planes.length) this.planes.push(new Uint32Array(this.words));
        const plane = this.planes[k] as Uint32Array;
        const both = (plane[w] as number) & carry;
        plane[w] = (plane[w] as number) ^ carry;
        carry = both;
      }
    }
  }

  /** Adds every id's count to `target[id]` at once: plane k's set bits add 2^k (ids past its end skipped). */
  addCountsTo(target: Float64Array | Uint32Array): void {
    for (let k = 0; k < this.planes.length; k += 1) {
      const plane = this.planes[k] as Uint32Array;
      const weight = 2 ** k;
      const words = Math.min(plane.length, Math.ceil(target.length / 32));
      for (let w = 0; w < words; w += 1) {
        let word = plane[w] as number;
        while (word !== 0) {
          const low = word & -word;
          const id = w * 32 + 31 - Math.clz32(low);
          if (id < target.length) target[id] = (target[id] as number) + weight;
          word ^= low;
        }
      }
    }
  }
}

/** Calls `visit` with every id set in `bits` and not in `except`, ascending, then adds them to `except`. */
export function forEachNew(bits: Uint32Array, except: Uint32Array, visit: (id: number) => void): void {
  const n = Math.min(bits.length, except.length);
  for (let w = 0; w < n; w += 1) {
    let word = (bits[w] as number) & ~(except[w] as number);
    if (word === 0) continue;
    except[w] = (except[w] as number) | word;
    while (word !== 0) {
      const low = word & -word;
      visit(w * 32 + 31 - Math.clz32(low));
      word ^= low;
    }
  }
}
