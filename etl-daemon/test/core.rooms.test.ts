/**
 * The ground floor, room by room, against brute force: bitsets, sorted search, slot arithmetic, the interner
 * and the bounded cache.
 */
import {
  BitCounter,
  bitsFor,
  countAnd,
  countBits,
  forEachBit,
  hasBit,
  orInto,
  setBit,
  setBits,
} from '../src/core/bitset';
import { ByteBoundedCache } from '../src/core/bounded-cache';
import { Interner } from '../src/core/interner';
import { blockLevel, cutPieces, dayOfSlot, slotOfDay, slotSplit } from '../src/core/slots';
import { lowerBound } from '../src/core/sorted';
import { SLOT_MS, SLOTS_PER_DAY } from '../src/core/units';
import { seededRandom } from '../src/demo/random';

const random = seededRandom(17);
const ids = (n: number, max: number) => Array.from({ length: n }, () => Math.floor(random() * max));

describe('core/bitset', () => {
  it('should agree with a Set for set, has, count, or, and and visit', () => {
    for (let round = 0; round < 50; round += 1) {
      const a = ids(40, 300);
      const b = ids(40, 300);
      const x = bitsFor(300);
      const y = bitsFor(300);
      for (const id of a) setBit(x, id);
      setBits(y, b);
      const both = [...new Set(a)].filter((id) => b.includes(id));
      expect(countBits(x)).toBe(new Set(a).size);
      expect(countAnd(x, y)).toBe(both.length);
      expect(Array.from({ length: 300 }, (_, id) => hasBit(x, id))).toEqual(
        Array.from({ length: 300 }, (_, id) => a.includes(id))
      );
      orInto(x, y);
      const visited: number[] = [];
      forEachBit(x, (id) => visited.push(id));
      expect(visited).toEqual([...new Set([...a, ...b])].sort((p, q) => p - q));
    }
  });

  it('should count per id how many bitsets hold it', () => {
    const sets = Array.from({ length: 70 }, () => ids(Math.floor(random() * 120), 300));
    const counter = new BitCounter(bitsFor(300).length);
    for (const list of sets) {
      const bits = bitsFor(300);
      setBits(bits, list);
      counter.add(bits);
    }
    const expected = Array.from({ length: 300 }, (_, id) => sets.filter((list) => list.includes(id)).length);
    const all = new Float64Array(300);
    counter.addCountsTo(all);
    expect(Array.from(all)).toEqual(expected);
    // Added to what a target holds; ids past a shorter target's end are left out.
    const target = new Uint32Array(250).fill(1);
    counter.addCountsTo(target);
    expect(Array.from(target)).toEqual(expected.slice(0, 250).map((n) => n + 1));
  });
});

describe('core/sorted', () => {
  it('should find the first index not below the target, within bounds', () => {
    const values = ids(60, 50).sort((p, q) => p - q);
    for (let target = -1; target <= 51; target += 1) {
      expect(lowerBound(values, target)).toBe(
        values.findIndex((v) => v >= target) === -1 ? 60 : values.findIndex((v) => v >= target)
      );
      expect(lowerBound(values, target, 10, 20)).toBe(Math.min(20, Math.max(10, lowerBound(values, target))));
    }
  });
});

describe('core/slots', () => {
  it('should split a range into whole slots and the pieces it cuts, covering it exactly once', () => {
    for (let round = 0; round < 500; round += 1) {
      const lo = Math.floor(random() * 10 * SLOT_MS);
      const hi = lo + 1 + Math.floor(random() * 5 * SLOT_MS);
      const split = slotSplit(lo, hi);
      const pieces = cutPieces(split);
      const covered =
        (split.s1 - split.s0) * SLOT_MS + pieces.reduce((n, [, from, to]) => n + (to - from), 0);
      expect(covered).toBe(hi - lo);
      for (const [slot, from, to] of pieces) {
        expect(from).toBeGreaterThanOrEqual(slot * SLOT_MS);
        expect(to).toBeLessThanOrEqual((slot + 1) * SLOT_MS);
      }
    }
  });

  it('should pick the largest aligned block that fits', () => {
    expect(blockLevel(0, 1024, 10)).toBe(10);
    expect(blockLevel(4, 1024, 10)).toBe(2);
    expect(blockLevel(8, 12, 10)).toBe(2);
    expect(blockLevel(7, 1024, 10)).toBe(0);
    expect(dayOfSlot(SLOTS_PER_DAY * 3 + 5)).toBe(3);
    expect(slotOfDay(SLOTS_PER_DAY * 3 + 5)).toBe(5);
    expect(dayOfSlot(-1)).toBe(-1);
    expect(slotOfDay(-1)).toBe(SLOTS_PER_DAY - 1);
  });
});

describe('core/interner', () => {
  it('should give dense ids in order of first sight and names back', () => {
    const interner = new Interner();
    expect(['b', 'a', 'b', 'c', 'a'].map((n) => interner.id(n))).toEqual([0, 1, 0, 2, 1]);
    expect([interner.size, interner.name(2), interner.lookup('a'), interner.lookup('z')]).toEqual([
      3,
      'c',
      1,
      undefined,
    ]);
  });
});

describe('core/bounded-cache', () => {
  it('should keep its bytes within the bound, also after a resize, and give a second chance to a hit', () => {
    const cache = new ByteBoundedCache<string, number>(100, () => 10);
    for (let i = 0; i < 10; i += 1) cache.set(`k${i}`, i);
    expect(cache.get('k0')).toBe(0);
    cache.set('k10', 10);
    expect([cache.bytes, cache.get('k0'), cache.get('k1')]).toEqual([100, 0, undefined]);
    cache.resize(35);
    expect(cache.bytes).toBeLessThanOrEqual(35);
    expect(cache.size).toBe(3);
  });

  it('should evict exactly as CLOCK over a list does, through 200,000 random sets, gets and deletes', () => {
    // The model: an array in clock order; a hit marks; eviction takes the first unmarked from the front,
    // moving marked ones to the back unmarked. Compaction of the cache's own queue must not change a thing.
    type Slot = { key: string; bytes: number; used: boolean };
    const model: Slot[] = [];
    const max = 2_000;
    const weigh = (value: number) => 10 + (value % 90);
    const cache = new ByteBoundedCache<string, number>(max, weigh);
    const random = seededRandom(5);
    const bytesOf = () => model.reduce((n, s) => n + s.bytes, 0);
    for (let step = 0; step < 200_000; step += 1) {
      const key = `k${Math.floor(random() * 400)}`;
      const roll = random();
      if (roll < 0.5) {
        const value = Math.floor(random() * 1000);
        cache.set(key, value);
        const at = model.findIndex((s) => s.key === key);
        if (at >= 0) model.splice(at, 1);
        model.push({ key, bytes: weigh(value), used: false });
        while (bytesOf() > max) {
          const first = model.shift() as Slot;
          if (first.used) model.push({ ...first, used: false });
        }
      } else if (roll < 0.9) {
        const slot = model.find((s) => s.key === key);
        expect(cache.get(key) !== undefined).toBe(slot !== undefined);
        if (slot) slot.used = true;
      } else {
        cache.delete(key);
        const at = model.findIndex((s) => s.key === key);
        if (at >= 0) model.splice(at, 1);
      }
      if (step % 997 === 0) expect([step, cache.size, cache.bytes]).toEqual([step, model.length, bytesOf()]);
    }
    expect([cache.size, cache.bytes]).toEqual([model.length, bytesOf()]);
  });
});
