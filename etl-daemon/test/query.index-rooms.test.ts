/**
 * The index's rooms (src/query/index/) on their own, each against a brute-force reading of the same logins:
 * the indexed day, the day store, first seen, the span cache, the scanner, the visitor and the user mask.
 */
import { bitsFor, countBits, forEachBit } from '../src/core/bitset';
import { buildDaySlots } from '../src/core/day-slots';
import { DAY_MS, SLOT_MS } from '../src/core/units';
import { seededRandom } from '../src/demo/random';
import { DayStore, MissingRawError } from '../src/query/index/day-store';
import { FirstSeen } from '../src/query/index/first-seen';
import { dayLogins, indexDay } from '../src/query/index/indexed-day';
import { Scanner } from '../src/query/index/scan';
import { SpanCache } from '../src/query/index/spans';
import type { IndexWork } from '../src/query/index/user-mask';
import { inMask, maskOf } from '../src/query/index/user-mask';
import { visitLogins } from '../src/query/index/visit';

const USERS = 70;
const DAYS = 12;
const random = seededRandom(23);
/** Logins as [ms since 1970, user id], over days 100 … 111 (several per user, repeats in a slot included). */
const logins: [number, number][] = Array.from({ length: 3000 }, () => [
  (100 + Math.floor(random() * DAYS)) * DAY_MS + Math.floor(random() * DAY_MS),
  Math.floor(random() ** 2 * USERS),
]);
logins.sort((a, b) => a[0] - b[0]);

function build(withRaw: boolean) {
  const days = new DayStore();
  const first = new FirstSeen(days);
  first.grow(USERS);
  for (let d = 100; d < 100 + DAYS; d += 1) {
    const mine = logins.filter(([t]) => Math.floor(t / DAY_MS) === d);
    const t = Int32Array.from(mine, ([at]) => at - d * DAY_MS);
    const u = Int32Array.from(mine, ([, id]) => id);
    const day = indexDay(buildDaySlots(t, u), withRaw ? { t, u } : undefined, USERS);
    days.set(d, day);
    first.note(d, day);
  }
  const work: IndexWork = { words: 0, entries: 0, raw: 0, users: 0 };
  const spans = new SpanCache(days, work, { blockCacheBytes: 1 << 20, partCacheBytes: 1 << 20 });
  return { days, first, work, spans, scanner: new Scanner(days, spans, work) };
}

const inRange = (a: number, b: number) => logins.filter(([t]) => t >= a && t < b);
const range = () => {
  const a = 100 * DAY_MS + Math.floor(random() * DAYS * DAY_MS);
  return [a, a + 1 + Math.floor(random() * 4 * DAY_MS)] as [number, number];
};

describe('indexed day and day store', () => {
  it('should hold each day with its users, logins, extent and slot counts', () => {
    const { days } = build(false);
    expect(days.extent).toEqual({ start: 100 * DAY_MS, end: 112 * DAY_MS });
    expect(days.logins).toBe(logins.length);
    const day = days.get(103);
    expect(day && countBits(day.bits)).toBe(
      new Set(inRange(103 * DAY_MS, 104 * DAY_MS).map(([, id]) => id)).size
    );
    expect(day && dayLogins(day)).toBe(inRange(103 * DAY_MS, 104 * DAY_MS).length);
    const slot = (103 * DAY_MS) / SLOT_MS + 40;
    expect(days.slotLogins(slot)).toBe(inRange(slot * SLOT_MS, (slot + 1) * SLOT_MS).length);
    expect(() => days.rawOfSlot(slot, undefined)).toThrow(MissingRawError);
  });
});

describe('scanner and span cache', () => {
  it.each([false, true])(
    'should mark the users and count the logins of any range (raw kept: %s)',
    (withRaw) => {
      const { scanner } = build(withRaw);
      for (let round = 0; round < 200; round += 1) {
        const [a, b] = range();
        const expected = inRange(a, b);
        const raw = new Map(
          withRaw
            ? []
            : [a, b].map((edge) => {
                const slot = Math.floor(edge / SLOT_MS);
                const day = Math.floor(edge / DAY_MS) * DAY_MS;
                const mine = inRange(slot * SLOT_MS, (slot + 1) * SLOT_MS);
                return [
                  slot,
                  { t: Int32Array.from(mine, ([t]) => t - day), u: Int32Array.from(mine, ([, id]) => id) },
                ];
              })
        );
        const into = bitsFor(USERS);
        const counted = scanner.scan(a, b, into, { mask: undefined, raw, users: true, logins: true });
        expect([counted, countBits(into)]).toEqual([
          expected.length,
          new Set(expected.map(([, id]) => id)).size,
        ]);
        const mask = maskOf([1, 2, 3, 40], USERS);
        const masked = bitsFor(USERS);
        const n = scanner.scan(a, b, masked, { mask, raw, users: true, logins: true });
        const mine = expected.filter(([, id]) => inMask(mask, id));
        expect([n, countBits(masked)]).toEqual([mine.length, new Set(mine.map(([, id]) => id)).size]);
      }
    }
  );

  it('should build a block of days as the union of its days and keep it', () => {
    const { spans, work } = build(false);
    const block = spans.span(3, 100 >> 3);
    const users = new Set(inRange(96 * DAY_MS, 104 * DAY_MS).map(([, id]) => id));
    expect([countBits(block.bits), block.logins]).toEqual([
      users.size,
      inRange(96 * DAY_MS, 104 * DAY_MS).length,
    ]);
    const words = work.words;
    expect(spans.span(3, 100 >> 3)).toBe(block);
    expect(work.words).toBe(words);
    spans.dayChanged(101);
    expect(spans.span(3, 100 >> 3)).not.toBe(block);
  });

  it("should total each user's logins over an aligned block of 32 days, and again after a day changes", () => {
    const { spans, days } = build(false);
    // Days 100 … 111 lie in block 3 (days 96 … 127).
    const perUser = (list: [number, number][]) =>
      Array.from({ length: USERS }, (_, id) => list.filter(([, u]) => u === id).length);
    const totals = spans.loginTotals(3, USERS);
    expect(Array.from(totals)).toEqual(perUser(logins));
    expect(spans.loginTotals(3, USERS)).toBe(totals);
    expect(Array.from(spans.loginTotals(2, USERS))).toEqual(new Array(USERS).fill(0));
    // Day 104 replaced by one login of user 0: the block is totalled again from the days as they are now.
    days.set(104, indexDay(buildDaySlots(Int32Array.of(5), Int32Array.of(0)), undefined, USERS));
    spans.dayChanged(104);
    const now = [
      ...logins.filter(([t]) => Math.floor(t / DAY_MS) !== 104),
      [104 * DAY_MS + 5, 0] as [number, number],
    ];
    expect(Array.from(spans.loginTotals(3, USERS))).toEqual(perUser(now));
  });
});

describe('first seen', () => {
  it('should count users by their first login, and find them again when a day is replaced', () => {
    const { first, days } = build(true);
    const firstOf = new Map<number, number>();
    for (const [t, id] of logins) if (!firstOf.has(id)) firstOf.set(id, t);
    const options = {
      userCount: USERS,
      mask: undefined,
      raw: undefined,
      work: { words: 0, entries: 0, raw: 0, users: 0 },
    };
    for (let round = 0; round < 100; round += 1) {
      const [a, b] = range();
      expect(first.count(a, b, options)).toBe([...firstOf.values()].filter((t) => t >= a && t < b).length);
    }
    const old = days.get(100);
    if (!old) throw new Error('day 100 is missing');
    const lost = first.forget(100, old);
    days.delete(100);
    first.refind(lost, 100);
    const later = new Map<number, number>();
    for (const [t, id] of logins) if (t >= 101 * DAY_MS && !later.has(id)) later.set(id, t);
    for (let id = 0; id < USERS; id += 1)
      expect([id, first.slot(id)]).toEqual([
        id,
        later.has(id) ? Math.floor((later.get(id) ?? 0) / SLOT_MS) : Infinity,
      ]);
  });
});

describe('visit', () => {
  it('should visit every login of a range once, grouped per slot and user', () => {
    const { days } = build(true);
    for (let round = 0; round < 50; round += 1) {
      const [from, to] = range();
      let total = 0;
      const perUser = new Map<number, number>();
      visitLogins(days, { from, to, raw: undefined }, (id, _at, count) => {
        total += count;
        perUser.set(id, (perUser.get(id) ?? 0) + count);
      });
      const expected = inRange(from, to);
      expect(total).toBe(expected.length);
      const bits = bitsFor(USERS);
      for (const id of perUser.keys()) bits[id >>> 5] = (bits[id >>> 5] ?? 0) | (1 << (id & 31));
      const visited: number[] = [];
      forEachBit(bits, (id) => visited.push(id));
      expect(visited).toEqual([...new Set(expected.map(([, id]) => id))].sort((p, q) => p - q));
    }
  });
});
