import { decodeSummary, encodeSummary } from '../src/db/day-summary';
import { seededRandom } from '../src/demo/random';
import { buildDaySlots } from '../src/core/day-slots';
import type { LoginIndexLimits as IndexLimits, Metric, RawLogins } from '../src/query/login-index';
import { LoginIndex, MissingRawError } from '../src/query/login-index';
import { bucketBounds } from '../src/time/buckets';
import { countManyPeople } from '../src/query/many-people';
import { DAY_MS, SLOT_MS, SLOTS_PER_DAY } from '../src/core/units';
import type { Login } from './login-fixtures';
import { BASE, oracle, randomLogins, randomQueries, readFor } from './login-fixtures';

/**
 * The index as the daemon loads it: per-day slot summaries only (no logins in memory), and the logins of a
 * slot cut by a range edge read on demand, here straight from the fixture's logins (not from the index).
 */
function summaryIndex(
  logins: readonly Login[],
  limits?: IndexLimits,
  firstNames: readonly string[] = []
): {
  index: LoginIndex;
  read: (slots: number[]) => Map<number, RawLogins>;
} {
  const index = new LoginIndex(limits);
  for (const name of firstNames) index.userId(name);
  const byDay = new Map<number, Login[]>();
  for (const l of logins) {
    const day = Math.floor(l.at / DAY_MS);
    byDay.set(day, [...(byDay.get(day) ?? []), l]);
  }
  for (const [day, list] of byDay) {
    // Through the stored form: encoded in parts of at most 50 entries and decoded, as the loader reads it.
    const stored = decodeSummary(
      encodeSummary(
        buildDaySlots(
          list.map((l) => l.at - day * DAY_MS),
          list.map((l) => index.userId(l.user))
        ),
        50
      )
    );
    index.replaceDay(new Date(day * DAY_MS), stored?.slots);
  }
  return { index, read: (slots: number[]) => readFor(index, logins, slots) };
}

describe('LoginIndex from slot summaries', () => {
  const logins = randomLogins(20_000, 5);
  const { index, read } = summaryIndex(logins);

  it('should grow with (user, slot) pairs, not with logins', () => {
    const day = new Date(BASE);
    const sized = (repeat: number) => {
      const small = new LoginIndex();
      const t = ['amy', 'bob', 'cy'].flatMap((_, k) =>
        Array.from({ length: repeat }, (__, r) => k * SLOT_MS + r)
      );
      const ids = ['amy', 'bob', 'cy'].flatMap((name) =>
        Array.from({ length: repeat }, () => small.userId(name))
      );
      small.replaceDay(day, buildDaySlots(t, ids));
      return small;
    };
    const once = sized(1);
    const often = sized(10_000);
    expect([once.loginCount, often.loginCount]).toEqual([3, 30_000]);
    // Three (user, slot) pairs either way; the repeats cost their counts only (a few words).
    expect(often.bytes - once.bytes).toBeLessThanOrEqual(48);
  });

  it('should equal the raw-login definition for random ranges, units, zones and filters', () => {
    const metrics: Metric[] = ['users', 'logins', 'new_users'];
    for (const { i, unit, zone, start, end, bounds } of randomQueries(23, 60)) {
      const only = i % 3 === 0 ? new Set(['u0', 'u3', 'u77', 'u250', 'nobody']) : undefined;
      const mask = only ? index.userMask([...only]) : undefined;
      const raw = read(index.missingSlots(bounds, start, end));
      expect([unit, zone, start, end, index.count(bounds, start, end, metrics, { mask, raw })]).toEqual([
        unit,
        zone,
        start,
        end,
        oracle(logins, bounds, start, end, only),
      ]);
    }
  });

  it('should ask only for slots cut by an edge that hold logins, and refuse to guess without them', () => {
    const start = BASE + 10 * DAY_MS + 7 * 60_000; // 00:07 UTC
    const end = BASE + 20 * DAY_MS + 45 * 60_000; // 00:45 UTC: on a slot boundary
    const bounds = bucketBounds(start, end, 'week', 'UTC');
    const missing = index.missingSlots(bounds, start, end);
    const startSlot = Math.floor(start / SLOT_MS);
    const expected = logins.some((l) => Math.floor(l.at / SLOT_MS) === startSlot) ? [startSlot] : [];
    expect(missing).toEqual(expected);
    const cut = logins.find((l) => l.at % SLOT_MS !== 0)?.at ?? BASE;
    const slot = Math.floor(cut / SLOT_MS);
    expect(() => index.count([cut, cut + DAY_MS], cut, cut + DAY_MS, ['users'])).toThrow(MissingRawError);
    expect(index.missingSlots([cut, cut + DAY_MS], cut, cut + DAY_MS)).toContain(slot);
  });

  it('should keep first-seen exact when a rewritten day loses a user seen first on it', () => {
    const small = new LoginIndex();
    const day = (n: number) => new Date(BASE + n * DAY_MS);
    const slots = (entries: [string, number][]) =>
      buildDaySlots(
        entries.map(([, t]) => t),
        entries.map(([name]) => small.userId(name))
      );
    small.replaceDay(day(0), slots([['amy', 1000]]));
    small.replaceDay(
      day(3),
      slots([
        ['amy', 2 * SLOT_MS + 5],
        ['amy', 2 * SLOT_MS + 9],
        ['bob', 50 * SLOT_MS],
      ])
    );
    const bounds = [BASE, BASE + DAY_MS, BASE + 4 * DAY_MS];
    expect(small.count(bounds, BASE, BASE + 4 * DAY_MS, ['new_users', 'logins'])).toEqual({
      users: [],
      logins: [1, 3],
      new_users: [1, 1],
    });
    small.replaceDay(day(0), undefined); // amy's first day is gone: her first login is now on day 3
    expect(small.count(bounds, BASE, BASE + 4 * DAY_MS, ['new_users'])).toEqual({
      users: [],
      logins: [],
      new_users: [0, 2],
    });
  });
});

describe('stored summaries', () => {
  it('should round-trip through parts of any size, and refuse a part set that does not cover the day', () => {
    const random = seededRandom(3);
    const t = Array.from({ length: 3000 }, () => Math.floor(random() * DAY_MS));
    const ids = t.map(() => Math.floor(random() * 70_000));
    const slots = buildDaySlots(t, ids);
    for (const max of [1, 40, 1000, 1_000_000]) {
      const parts = encodeSummary(slots, max);
      expect(decodeSummary([...parts].reverse())?.slots).toEqual({
        ...slots,
        ids: Uint32Array.from(slots.ids),
      });
      if (parts.length > 1) expect(decodeSummary(parts.slice(1))).toBeUndefined();
    }
    expect(slots.loginsBefore[SLOTS_PER_DAY]).toBe(3000);
    expect(slots.ids).toBeInstanceOf(Uint32Array); // ids above 65,535
  });
});

describe('what a count costs', () => {
  const zones = ['UTC', 'Asia/Kathmandu', 'Europe/Berlin', 'America/New_York'];

  it('should keep its caches within their byte limits and stay exact when they evict', () => {
    const logins = randomLogins(20_000, 9);
    const limits = {
      blockCacheBytes: 3_000,
      partCacheBytes: 2_000,
      intervalCacheBytes: 1_000,
      derivedCacheBytes: 0,
    };
    const { index: bounded, read } = summaryIndex(logins, limits);
    const random = seededRandom(4);
    let peak = { blocks: 0, parts: 0, intervals: 0 };
    for (let i = 0; i < 40; i += 1) {
      const zone = zones[i % zones.length] ?? 'UTC';
      const start = BASE + Math.floor(random() * 300) * DAY_MS;
      const end = start + Math.floor(random() * 100 + 1) * DAY_MS;
      const bounds = bucketBounds(start, end, i % 2 ? 'day' : 'week', zone);
      expect(
        bounded.count(bounds, start, end, ['users', 'logins'], {
          raw: read(bounded.missingSlots(bounds, start, end)),
        })
      ).toEqual({
        ...oracle(logins, bounds, start, end),
        new_users: [],
      });
      const bytes = bounded.cacheBytes;
      peak = {
        blocks: Math.max(peak.blocks, bytes.blocks),
        parts: Math.max(peak.parts, bytes.parts),
        intervals: Math.max(peak.intervals, bytes.intervals),
      };
    }
    expect(peak.blocks).toBeLessThanOrEqual(limits.blockCacheBytes);
    expect(peak.parts).toBeLessThanOrEqual(limits.partCacheBytes);
    expect(peak.intervals).toBeLessThanOrEqual(limits.intervalCacheBytes);
    expect(peak.blocks).toBeGreaterThan(0);
    expect(peak.parts).toBeGreaterThan(0);
  });

  it("should cost a user filter in proportion to those users, not to everybody else's logins", () => {
    const few = randomLogins(5_000, 12);
    const crowded = [...few, ...randomLogins(50_000, 13).map((l) => ({ ...l, user: `other${l.user}` }))].sort(
      (a, b) => a.at - b.at
    );
    const only = ['u0', 'u5', 'u42'];
    const start = BASE + 30 * DAY_MS;
    const end = BASE + 360 * DAY_MS;
    const cost = (logins: Login[]) => {
      // The filter's users get the same ids in both indexes: the work is per bitset word that holds them.
      const { index } = summaryIndex(logins, undefined, only);
      const bounds = bucketBounds(start, end, 'week', 'UTC');
      const mask = index.userMask(only);
      const before = { ...index.work };
      const counted = index.count(bounds, start, end, ['users', 'logins', 'new_users'], { mask });
      expect(counted).toEqual(oracle(logins, bounds, start, end, new Set(only)));
      return {
        words: index.work.words - before.words,
        entries: index.work.entries - before.entries,
        users: index.work.users - before.users,
      };
    };
    const small = cost(few);
    const large = cost(crowded);
    // Ten times the other users' logins (and about 4 times the users): the same work for the filter.
    expect(large).toEqual(small);
    expect(small.entries).toBe(0);
  });
});

describe('many people filters at once (a breakdown)', () => {
  it('should count each filter as the oracle does, in cut calendars, for small and large filters', () => {
    const logins = randomLogins(20_000, 21);
    const { index, read } = summaryIndex(logins);
    const random = seededRandom(22);
    const names = [...new Set(logins.map((l) => l.user))];
    // Groups of every size: a few people (looked up one by one) up to most of them (tested bit by bit).
    const groups = [0.01, 0.05, 0.3, 0.8].map((share) => names.filter(() => random() < share));
    const masks = groups.map((g) => index.userMask(g));
    for (const [unit, zone] of [
      ['week', 'Asia/Kathmandu'],
      ['day', 'Australia/Lord_Howe'],
      ['month', 'America/New_York'],
    ] as const) {
      const start = BASE + 17 * DAY_MS + 7_777_777;
      const end = BASE + 300 * DAY_MS + 1_234_567;
      const bounds = bucketBounds(start, end, unit, zone);
      const raw = read(index.missingSlots(bounds, start, end));
      const many = countManyPeople(index, { bounds, start, end, raw }, masks, { logins: true });
      groups.forEach((group, k) => {
        const expected = oracle(logins, bounds, start, end, new Set(group));
        expect([unit, k, many.users[k], many.logins[k]]).toEqual([unit, k, expected.users, expected.logins]);
      });
    }
  });
});
