/**
 * The derived index of a request filter (LoginIndex.filtered, query/index/derive.ts) against the slow definition
 * over only the logins it keeps, on random logins with handlers and hosts in random zones and units, with
 * range edges inside slots (their logins given as the daemon reads them, keys included); and its cache.
 */
import { seededRandom } from '../src/demo/random';
import { buildDaySlots } from '../src/core/day-slots';
import type { KeyedDay } from '../src/core/dim-slots';
import { buildKeyedDay, forEachDimEntry, mapDimKeys, mergeKeyedDays } from '../src/core/dim-slots';
import { decodeDay } from '../src/query/sync/stored-day';
import type { SummaryDoc } from '../src/db/day-summary';
import { dayDims, decodeSummary, encodeSummary } from '../src/db/day-summary';
import { DAY_MS } from '../src/core/units';
import type { KeyGroupTally } from '../src/query/index/key-group-tallies';
import { unionCount } from '../src/query/index/key-group-tallies';
import { countBits } from '../src/core/bitset';
import { DEFAULT_INDEX_LIMITS } from '../src/core/limits';
import { LoginIndex } from '../src/query/login-index';
import { allowedKeys } from '../src/query/requests';
import type { Login } from './login-fixtures';
import { BASE, oracle, randomLogins, randomQueries, readFor, toDays } from './login-fixtures';

interface Keyed extends Login {
  key: string;
  handler: string;
  host: string;
}

const HANDLERS = ['mkt.api.Report', 'mkt.api.Campaign', 'fin.api.Budget', 'core4.api.Role'];
const HOSTS = ['h1', 'h2', 'h3'];

function keyedLogins(n: number, seed: number): Keyed[] {
  const random = seededRandom(seed + 1);
  return randomLogins(n, seed).map((l) => {
    const handler = HANDLERS[Math.floor(random() ** 2 * HANDLERS.length)] as string;
    const host = HOSTS[Math.floor(random() * HOSTS.length)] as string;
    return { ...l, handler, host, key: `${handler}\u001f${host}` };
  });
}

describe("a day's split by key as stored (db/day-summary.ts)", () => {
  it('should write it in parts of whole slots and read it back as it was, runs and keys in their widths', () => {
    const random = seededRandom(5);
    const n = 3_000;
    const t = Array.from({ length: n }, () => Math.floor(random() * DAY_MS));
    const ids = Array.from({ length: n }, () => Math.floor(random() ** 2 * (random() < 0.5 ? 300 : 70_000)));
    const keys = Array.from(
      { length: n },
      () => `h${Math.floor(random() * (random() < 0.9 ? 5 : 400))}\u001fx`
    );
    const day = dayDims({ t, keys }, ids);
    expect(day).toBeDefined();
    for (const max of [200, 1_000, 1_000_000]) {
      const parts = encodeSummary(buildDaySlots(t, ids), max, day);
      if (max === 200) expect(parts.length).toBeGreaterThan(5);
      const back = decodeSummary([...parts].reverse())?.dims;
      expect(back?.keyNames).toEqual(day?.keyNames);
      for (const field of ['offsets', 'keys', 'runAt', 'runLength', 'multiAt', 'multiCount'] as const)
        expect([max, field, Array.from(back?.dims[field] ?? [])]).toEqual([
          max,
          field,
          Array.from(day?.dims[field] ?? []),
        ]);
    }
  });
});

/** Logins with many users using two or three keys in one slot, and repeats of one key. */
function denseLogins(seed: number, n: number, users: number, keyCount: number) {
  const random = seededRandom(seed);
  const t = Array.from(
    { length: n },
    () => Math.floor(random() * 6) * 900_000 + Math.floor(random() * 900_000)
  );
  const ids = Array.from({ length: n }, () => Math.floor(random() * users));
  const keys = Array.from({ length: n }, () => Math.floor(random() * keyCount));
  return { t, ids, keys };
}

/** The slow definition: each (slot, user, key) with its logins, sorted, from the logins themselves. */
function entriesOf(logins: { t: number[]; ids: number[]; keys: number[] }): string[] {
  const count = new Map<string, number>();
  logins.t.forEach((t, i) => {
    const entry = [Math.floor(t / 900_000), logins.ids[i], logins.keys[i]].join(',');
    count.set(entry, (count.get(entry) ?? 0) + 1);
  });
  return [...count].map(([entry, n]) => `${entry}x${n}`).sort();
}

function walked(day: KeyedDay, s0?: number, s1?: number): string[] {
  const out: string[] = [];
  forEachDimEntry(day, (s, id, key, n) => out.push(`${s},${id},${key}x${n}`), s0, s1);
  return out.sort();
}

describe("a day's split by key beside its summary (core/dim-slots.ts)", () => {
  it("should hold every (slot, user, key) and its logins, each user's keys under the summary's entry", () => {
    const logins = denseLogins(8, 2_000, 40, 6);
    const day = buildKeyedDay(logins.t, logins.ids, logins.keys);
    expect(walked(day)).toEqual(entriesOf(logins));
    // Most of these users used several keys in a slot: the runs are what carries them.
    expect(day.dims.runAt.length).toBeGreaterThan(100);
    expect(day.dims.keys.length).toBeGreaterThan(day.slots.ids.length);
    expect(day.dims.keys.BYTES_PER_ELEMENT).toBe(1);
    // A range of slots walks only its own.
    const slots34 = entriesOf({ ...logins }).filter((e) => ['3', '4'].includes(e.split(',')[0] as string));
    expect(walked(day, 3, 5)).toEqual(slots34);
  });

  it('should renumber keys one to one and merge runs of a day as if built from all their logins', () => {
    const a = denseLogins(9, 900, 30, 5);
    const b = denseLogins(10, 700, 50, 5);
    const shuffled = [3, 5, 0, 1, 4, 2, 6];
    const mapped = mapDimKeys(buildKeyedDay(a.t, a.ids, a.keys).dims, shuffled, 300);
    expect(mapped.keys.BYTES_PER_ELEMENT).toBe(2);
    const day = buildKeyedDay(a.t, a.ids, a.keys);
    const renamed = { ...a, keys: a.keys.map((k) => shuffled[k] as number) };
    expect(walked({ slots: day.slots, dims: mapped })).toEqual(entriesOf(renamed));
    const both = { t: [...a.t, ...b.t], ids: [...a.ids, ...b.ids], keys: [...a.keys, ...b.keys] };
    expect(walked(mergeKeyedDays([a, b].map((l) => buildKeyedDay(l.t, l.ids, l.keys))))).toEqual(
      entriesOf(both)
    );
  });

  it("should read an open day whose base was stored without a split as the unknown key's, its segment by key", () => {
    const base = denseLogins(11, 500, 30, 1);
    const segment = denseLogins(12, 400, 30, 3);
    const summary = (run: string, logins: typeof base, keyed: boolean): SummaryDoc[] => {
      const names = logins.keys.map((k) => `mkt.api.H${k}\u001fh1`);
      const day = keyed ? dayDims({ t: logins.t, keys: names }, logins.ids) : undefined;
      return encodeSummary(buildDaySlots(logins.t, logins.ids), 200, day).map((part) => ({
        ...part,
        day: new Date(0),
        run,
        fence: 1,
        writtenAt: new Date(0),
      }));
    };
    const docs = [...summary('a', base, false), ...summary('b', segment, true)];
    const parts = (run: string) => docs.filter((d) => d.run === run).length;
    const read = decodeDay(
      {
        day: new Date(0),
        run: 'a',
        chunks: 1,
        summaries: parts('a'),
        segments: [{ run: 'b', chunks: 1, summaries: parts('b'), logins: 400 }],
      },
      docs
    );
    const dims = read?.dims;
    expect(dims?.keyNames).toEqual([
      '\u001f',
      'mkt.api.H0\u001fh1',
      'mkt.api.H1\u001fh1',
      'mkt.api.H2\u001fh1',
    ]);
    const keyOf = (name: string) => dims?.keyNames.indexOf(name) ?? -1;
    const expected = {
      t: [...base.t, ...segment.t],
      ids: [...base.ids, ...segment.ids],
      keys: [...base.keys.map(() => 0), ...segment.keys.map((k) => keyOf(`mkt.api.H${k}\u001fh1`))],
    };
    expect(read && dims && walked({ slots: read.slots, dims: dims.dims })).toEqual(entriesOf(expected));
  });
});

/** First requests by key held as a table (the default), and let go (USAGE_KEY_FIRST_MB=0: a pass per ask). */
const KEY_FIRST = [
  ['held', { ...DEFAULT_INDEX_LIMITS, keyFirstBytes: Infinity }],
  ['not held', { ...DEFAULT_INDEX_LIMITS, keyFirstBytes: 0 }],
] as const;

describe.each(KEY_FIRST)('LoginIndex.filtered, first requests by key %s', (_, limits) => {
  const logins = keyedLogins(12_000, 31);
  // Days without a split (stored before dimensions): every login there has the unknown key.
  const legacy = logins
    .filter((l) => l.at < BASE + 20 * DAY_MS)
    .map((l) => ({ ...l, key: '\u001f', handler: '', host: '' }));
  const all = [...legacy, ...logins.filter((l) => l.at >= BASE + 20 * DAY_MS)];
  const filters = [
    { handler: ['mkt.api.Report'] },
    { project: ['mkt'] },
    { host: ['h2', 'h3'], project: ['fin', 'core4'] },
    { handler: ['fin.api.Budget', 'core4.api.Role'], host: ['h1'] },
  ];

  it.each(filters)('should count as the slow definition over only the kept logins: %j', (filter) => {
    const index = new LoginIndex(limits);
    index.replaceDays(toDays(all));
    const allowed = allowedKeys(index.keyNames, filter);
    const filtered = index.filtered(allowed);
    const kept = all.filter((l) => {
      const project = l.handler.split('.')[0] ?? '';
      return (
        (!('handler' in filter) || filter.handler?.includes(l.handler)) &&
        (!('project' in filter) || filter.project?.includes(project)) &&
        (!('host' in filter) || filter.host?.includes(l.host))
      );
    });
    expect(kept.length).toBeGreaterThan(100);
    for (const q of randomQueries(7, 18)) {
      const slots = filtered.missingSlots(q.bounds, q.start, q.end);
      const counted = filtered.count(q.bounds, q.start, q.end, ['users', 'logins', 'new_users'], {
        raw: readFor(index, all, slots),
      });
      expect([q.i, counted]).toEqual([q.i, oracle(kept, q.bounds, q.start, q.end)]);
    }
  });

  it("should keep the unknown key's logins for a filter of it, and none of them for any other", () => {
    const index = new LoginIndex(limits);
    index.replaceDays(toDays(all));
    const unknown = new Uint8Array(index.keyNames.length);
    unknown[0] = 1;
    const bounds = [BASE, BASE + 20 * DAY_MS, BASE + 40 * DAY_MS];
    const counted = index.filtered(unknown).count(bounds, BASE, BASE + 40 * DAY_MS, ['logins', 'new_users']);
    expect(counted).toEqual({
      users: [],
      logins: [legacy.length, 0],
      new_users: [new Set(legacy.map((l) => l.user)).size, 0],
    });
  });

  it('should derive disjoint filters together (a breakdown), each as if derived alone, and overlapping ones apart', () => {
    const index = new LoginIndex(limits);
    index.replaceDays(toDays(all));
    const byHandler = HANDLERS.map((h) => allowedKeys(index.keyNames, { handler: [h] }));
    const together = index.filteredMany(byHandler);
    const overlapping = index.filteredMany([
      byHandler[0]!,
      allowedKeys(index.keyNames, { project: ['mkt'] }),
    ]);
    for (const q of randomQueries(11, 8)) {
      for (const [s, allowed] of byHandler.entries()) {
        const kept = all.filter((l) => l.handler === HANDLERS[s]);
        const slots = together[s]!.missingSlots(q.bounds, q.start, q.end);
        const counted = together[s]!.count(q.bounds, q.start, q.end, ['users', 'logins', 'new_users'], {
          raw: readFor(index, all, slots),
        });
        expect([q.i, s, counted]).toEqual([q.i, s, oracle(kept, q.bounds, q.start, q.end)]);
        expect(allowed.some((a) => a === 1)).toBe(true);
      }
      const mkt = all.filter((l) => l.handler.startsWith('mkt.'));
      const slots = overlapping[1]!.missingSlots(q.bounds, q.start, q.end);
      expect(
        overlapping[1]!.count(q.bounds, q.start, q.end, ['users', 'logins'], {
          raw: readFor(index, all, slots),
        })
      ).toEqual({ ...oracle(mkt, q.bounds, q.start, q.end), new_users: [] });
    }
  });

  it('should keep derived indexes within their bytes, following the days that change', () => {
    const index = new LoginIndex(limits);
    index.replaceDays(toDays(all));
    const one = allowedKeys(index.keyNames, filters[0]);
    const two = allowedKeys(index.keyNames, filters[1]);
    const first = index.filtered(one);
    expect(index.filtered(one)).toBe(first);
    first.count([BASE, BASE + 300 * DAY_MS], BASE, BASE + 300 * DAY_MS, ['users']);
    // A changed day: counted again from the new version.
    index.replaceDays(toDays(all.filter((l) => l.at < BASE + 10 * DAY_MS)));
    // Kept across a change of the index: the days that changed are derived again, their unions dropped.
    expect(index.filtered(one)).toBe(first);
    expect(first.generation).toBe(index.generation);
    // First requests by key were found on the first filter and are kept in step since: a day replaced by an
    // empty one (days 10 … of the first replacement's range lose nothing; emptied days move first logins on).
    const emptied = new Date(BASE + 25 * DAY_MS);
    index.replaceDays([{ day: emptied, users: [], u: [], t: [] }]);
    const left = all.filter((l) => Math.floor(l.at / DAY_MS) !== Math.floor(emptied.getTime() / DAY_MS));
    const kept = left.filter((l) => l.handler === 'mkt.api.Report');
    const bounds = [BASE, BASE + 30 * DAY_MS, BASE + 60 * DAY_MS, BASE + 400 * DAY_MS];
    expect(
      index.filtered(one).count(bounds, BASE, BASE + 400 * DAY_MS, ['users', 'logins', 'new_users'])
    ).toEqual(oracle(kept, bounds, BASE, BASE + 400 * DAY_MS));
    // A cache of no bytes keeps only the one in use.
    const tight = new LoginIndex({
      blockCacheBytes: 1e6,
      partCacheBytes: 1e6,
      intervalCacheBytes: 1e4,
      derivedCacheBytes: 0,
    });
    tight.replaceDays(toDays(all));
    const a = tight.filtered(allowedKeys(tight.keyNames, filters[0]));
    a.count([BASE, BASE + 300 * DAY_MS], BASE, BASE + 300 * DAY_MS, ['users']);
    tight.filtered(two);
    expect(tight.filtered(allowedKeys(tight.keyNames, filters[0]))).not.toBe(a);
  });
});

describe.each(KEY_FIRST)('first requests by key found in slices after start-up, %s', (_, limits) => {
  it('should find what one pass finds, with days replaced before, while and after their turn', () => {
    const logins = keyedLogins(12_000, 53);
    const index = new LoginIndex(limits);
    index.replaceDays(toDays(logins));
    const day = (n: number) => BASE + n * DAY_MS;
    const without = (list: typeof logins, n: number) =>
      list.filter((l) => l.at < day(n) || l.at >= day(n + 1));
    // A budget of 0 notes 8 days a slice (oldest first): some days noted, most waiting (none when not held).
    expect(index.prepareKeyFirst(0)).toBe(limits.keyFirstBytes === 0);
    // Emptied: a day noted already (it held first requests), and one still waiting.
    let left = without(without(logins, 2), 300);
    index.replaceDays([
      { day: new Date(day(2)), users: [], u: [], t: [] },
      { day: new Date(day(300)), users: [], u: [], t: [] },
    ]);
    expect(index.prepareKeyFirst(0)).toBe(limits.keyFirstBytes === 0);
    expect(index.keyFirstHeld).toBe(limits.keyFirstBytes !== 0);
    // A waiting day replaced by its first half, then everything noted, then a noted day emptied.
    const half = logins.filter((l) => l.at >= day(200) && l.at < day(200) + DAY_MS / 2);
    left = [...without(left, 200), ...half].sort((a, b) => a.at - b.at);
    index.replaceDays(toDays(half));
    while (!index.prepareKeyFirst(0));
    left = without(left, 5);
    index.replaceDays([{ day: new Date(day(5)), users: [], u: [], t: [] }]);
    const bounds = [0, 3, 10, 40, 150, 250, 320, 401].map(day);
    for (const filter of [{ handler: ['mkt.api.Report'] }, { host: ['h2'] }, { project: ['fin', 'core4'] }]) {
      const kept = left.filter(
        (l) =>
          (filter.handler?.includes(l.handler) ?? true) &&
          (filter.host?.includes(l.host) ?? true) &&
          (filter.project?.includes(l.handler.split('.')[0] ?? '') ?? true)
      );
      const counted = index
        .filtered(allowedKeys(index.keyNames, filter))
        .count(bounds, day(0), day(401), ['users', 'logins', 'new_users']);
      expect([filter, counted]).toEqual([filter, oracle(kept, bounds, day(0), day(401))]);
    }
  });
});

it('should let first requests by key go when new keys pass their bytes, and count the same by a pass over the days', () => {
  const logins = keyedLogins(12_000, 61);
  const day = (n: number) => BASE + n * DAY_MS;
  // 300 users at most: a table of 1,024 users a key, 4 bytes each; room for the 13 keys seen (the unknown
  // one and 4 handlers on 3 hosts), not for two more.
  const index = new LoginIndex({ ...DEFAULT_INDEX_LIMITS, keyFirstBytes: 13 * 1024 * 4 });
  index.replaceDays(toDays(logins));
  while (!index.prepareKeyFirst(0));
  expect([index.keyNames.length, index.keyFirstHeld]).toEqual([13, true]);
  const bounds = [0, 100, 240, 252, 255, 300, 401].map(day);
  const kept = (list: Keyed[], filter: { handler?: string[]; host?: string[]; project?: string[] }) =>
    list.filter(
      (l) =>
        (filter.handler?.includes(l.handler) ?? true) &&
        (filter.host?.includes(l.host) ?? true) &&
        (filter.project?.includes(l.handler.split('.')[0] ?? '') ?? true)
    );
  const report = { handler: ['mkt.api.Report'] };
  const before = index.filtered(allowedKeys(index.keyNames, report));
  const metrics = ['users', 'logins', 'new_users'] as const;
  expect(before.count(bounds, day(0), day(401), [...metrics])).toEqual(
    oracle(kept(logins, report), bounds, day(0), day(401))
  );
  // A new app on two hosts from day 250 (users new to it, some new to every app), and people new to every
  // app using the reports on h2 (new users of the filter derived before): their days replaced whole.
  const random = seededRandom(62);
  const added: Keyed[] = Array.from({ length: 400 }, () => {
    const host = random() < 0.5 ? 'h1' : 'h4';
    return {
      user: `u${Math.floor(random() * 320)}`,
      at: day(250) + Math.floor(random() * 10 * DAY_MS),
      handler: 'ops.api.Tail',
      host,
      key: `ops.api.Tail\u001f${host}`,
    };
  });
  const newcomers: Keyed[] = Array.from({ length: 40 }, (_, i) => ({
    user: `new${i % 15}`,
    at: day(251) + Math.floor(random() * 8 * DAY_MS),
    handler: 'mkt.api.Report',
    host: 'h2',
    key: 'mkt.api.Report\u001fh2',
  }));
  const all = [...logins, ...added, ...newcomers].sort((a, b) => a.at - b.at);
  index.replaceDays(toDays(all.filter((l) => l.at >= day(250) && l.at < day(260))));
  expect([index.keyNames.length, index.keyFirstHeld]).toEqual([15, false]);
  // The index derived while the table was held finds its first logins again by the pass.
  expect(before.count(bounds, day(0), day(401), [...metrics])).toEqual(
    oracle(kept(all, report), bounds, day(0), day(401))
  );
  for (const filter of [{ handler: ['ops.api.Tail'] }, { host: ['h1'] }, { project: ['ops', 'fin'] }]) {
    const counted = index
      .filtered(allowedKeys(index.keyNames, filter))
      .count(bounds, day(0), day(401), [...metrics]);
    expect([filter, counted]).toEqual([filter, oracle(kept(all, filter), bounds, day(0), day(401))]);
  }
});

describe.each(KEY_FIRST)(
  "a breakdown's first requests kept in step as days are replaced, first requests by key %s",
  (_, limits) => {
    it("should count each series' new users as the slow definition after every kind of replacement", () => {
      const day = (n: number) => BASE + n * DAY_MS;
      let current = keyedLogins(8_000, 71);
      const index = new LoginIndex(limits);
      index.replaceDays(toDays(current));
      // Disjoint (derived together, series-first-seen.ts) and one filter alone.
      const byHandler = HANDLERS.map((h) => allowedKeys(index.keyNames, { handler: [h] }));
      const h2 = allowedKeys(index.keyNames, { host: ['h2'] });
      const bounds = [0, 1, 30, 100, 200, 300, 390, 399, 401].map(day);
      const check = (step: string) => {
        const group = index.filteredMany(byHandler);
        for (const [s, handler] of HANDLERS.entries()) {
          const counted = group[s]!.count(bounds, day(0), day(401), ['new_users']).new_users;
          const want = oracle(
            current.filter((l) => l.handler === handler),
            bounds,
            day(0),
            day(401)
          ).new_users;
          expect([step, handler, counted]).toEqual([step, handler, want]);
        }
        const counted = index.filtered(h2).count(bounds, day(0), day(401), ['new_users']).new_users;
        const want = oracle(
          current.filter((l) => l.host === 'h2'),
          bounds,
          day(0),
          day(401)
        ).new_users;
        expect([step, 'h2', counted]).toEqual([step, 'h2', want]);
      };
      check('loaded');
      const random = seededRandom(72);
      const loginsOn = (n: number, count: number, users: number): Keyed[] =>
        Array.from({ length: count }, () => {
          const handler = HANDLERS[Math.floor(random() * HANDLERS.length)] as string;
          const host = HOSTS[Math.floor(random() * HOSTS.length)] as string;
          const at = day(n) + Math.floor(random() * DAY_MS);
          return {
            user: `u${Math.floor(random() * users)}`,
            at,
            handler,
            host,
            key: `${handler}\u001f${host}`,
          };
        }).sort((a, b) => a.at - b.at);
      const replace = (n: number, logins: Keyed[]) => {
        current = [...current.filter((l) => Math.floor((l.at - day(n)) / DAY_MS) !== 0), ...logins].sort(
          (a, b) => a.at - b.at
        );
        index.replaceDays(
          logins.length > 0 ? toDays(logins) : [{ day: new Date(day(n)), users: [], u: [], t: [] }]
        );
      };
      for (let step = 0; step < 15; step += 1) {
        const kind = step % 5;
        // Today appended to (some people new to everything), an early day emptied (first requests move on),
        // a day rewritten, a new last day, and an early day given people's first requests.
        const n = [
          399,
          1 + Math.floor(random() * 20),
          Math.floor(random() * 400),
          400,
          Math.floor(random() * 5),
        ][kind] as number;
        const kept = current.filter((l) => l.at >= day(n) && l.at < day(n + 1));
        const logins = [
          [...kept, ...loginsOn(n, 30, 340)],
          [],
          loginsOn(n, 40, 300),
          loginsOn(n, 25, 360),
          [...kept, ...loginsOn(n, 60, 300)],
        ][kind] as Keyed[];
        replace(
          n,
          logins.sort((a, b) => a.at - b.at)
        );
        check(`step ${step} (kind ${kind}, day ${n})`);
      }
    });

    it('should keep them for overlapping filters (derived one by one, each its own group) across a change', () => {
      const day = (n: number) => BASE + n * DAY_MS;
      let current = keyedLogins(6_000, 81);
      // Overlapping filters are derived one by one (each its own group); no room kept for derived indexes.
      const index = new LoginIndex({ ...limits, derivedCacheBytes: 0 });
      index.replaceDays(toDays(current));
      const report = allowedKeys(index.keyNames, { handler: ['mkt.api.Report'] });
      const mkt = allowedKeys(index.keyNames, { project: ['mkt'] });
      const bounds = [0, 100, 300, 401].map(day);
      const newUsers = () =>
        index
          .filteredMany([report, mkt])
          .map((d) => d.count(bounds, day(0), day(401), ['new_users']).new_users);
      const want = () =>
        [(l: Keyed) => l.handler === 'mkt.api.Report', (l: Keyed) => l.handler.startsWith('mkt.')].map(
          (keep) => oracle(current.filter(keep), bounds, day(0), day(401)).new_users
        );
      expect(newUsers()).toEqual(want());
      const late: Keyed[] = Array.from({ length: 12 }, (_, i) => ({
        user: `late${i}`,
        at: day(350) + i * 3_600_000,
        handler: 'mkt.api.Report',
        host: 'h1',
        key: 'mkt.api.Report\u001fh1',
      }));
      const kept = current.filter((l) => l.at >= day(350) && l.at < day(351));
      current = [...current, ...late].sort((a, b) => a.at - b.at);
      index.replaceDays(toDays([...kept, ...late].sort((a, b) => a.at - b.at)));
      expect(newUsers()).toEqual(want());
    });
  }
);

describe("LoginIndex.keyGroupTallies (a breakdown's users and logins per bucket, query/index/key-group-tallies.ts)", () => {
  const logins = keyedLogins(12_000, 47);
  const groupOf = (index: LoginIndex) =>
    Int32Array.from(index.keyNames, (name) => HANDLERS.indexOf(name.split('\u001f')[0] ?? ''));
  const usersOf = (tally: KeyGroupTally, g: number) => tally.users[g]!.count;

  it('should count each handler and a union of handlers per bucket as the slow definition, in every zone and unit', () => {
    const index = new LoginIndex();
    index.replaceDays(toDays(logins));
    const groups = { groupOfKey: groupOf(index), count: HANDLERS.length };
    const scratch = new Uint32Array(Math.ceil(index.userCount / 32));
    // A group's users are kept as ids or as a bitset, whichever is smaller: both forms are met here.
    const forms = new Set<string>();
    for (const q of randomQueries(13, 18)) {
      const raw = readFor(index, logins, index.missingSlots(q.bounds, q.start, q.end));
      const { buckets: tallies, range } = index.keyGroupTallies(q, groups, raw);
      for (const t of tallies) for (const u of t.users) if (u.count > 1) forms.add(u.ids ? 'ids' : 'bits');
      for (const [g, handler] of HANDLERS.entries()) {
        const expected = oracle(
          logins.filter((l) => l.handler === handler),
          q.bounds,
          q.start,
          q.end
        );
        expect([q.i, handler, tallies.map((t) => usersOf(t, g))]).toEqual([q.i, handler, expected.users]);
        expect([q.i, handler, tallies.map((t) => t.logins[g])]).toEqual([q.i, handler, expected.logins]);
      }
      // The merged rest of a breakdown: each person once, whichever of the handlers they used.
      const rest = oracle(
        logins.filter((l) => l.handler !== HANDLERS[0]),
        q.bounds,
        q.start,
        q.end
      );
      const ends = oracle(
        logins.filter((l) => l.handler === HANDLERS[0] || l.handler === HANDLERS[3]),
        q.bounds,
        q.start,
        q.end
      );
      // Asked twice, with another set between: the second from the unions each tally keeps.
      for (let k = 0; k < 2; k += 1) {
        expect([q.i, tallies.map((t) => unionCount(t, [1, 2, 3], scratch))]).toEqual([q.i, rest.users]);
        expect([q.i, tallies.map((t) => unionCount(t, [0, 3], scratch))]).toEqual([q.i, ends.users]);
      }
      // Over the buckets together (they split the range): each handler's users of the whole range, and again
      // with the range's end moved (the union of all buckets but the last kept as its range's tally).
      for (const end of [q.end, q.end - 1_234_567, q.end]) {
        const moved = { ...q, end: Math.max(end, q.start) };
        const again = index.keyGroupTallies(
          moved,
          groups,
          readFor(index, logins, index.missingSlots(moved.bounds, moved.start, moved.end))
        );
        for (const [g, handler] of HANDLERS.entries()) {
          const inRange = logins.filter(
            (l) => l.handler === handler && l.at >= moved.start && l.at < moved.end
          );
          expect([q.i, end, handler, countBits(again.range.bits[g]!)]).toEqual([
            q.i,
            end,
            handler,
            new Set(inRange.map((l) => l.user)).size,
          ]);
        }
      }
      expect(Array.from(range.logins)).toEqual(
        HANDLERS.map((h) => logins.filter((l) => l.handler === h && l.at >= q.start && l.at < q.end).length)
      );
    }
    expect([...forms].sort()).toEqual(['bits', 'ids']);
  });

  it("should keep the buckets' tallies until a day they overlap changes, and count only the people of a mask", () => {
    const index = new LoginIndex();
    index.replaceDays(toDays(logins));
    const groups = { groupOfKey: groupOf(index), count: HANDLERS.length };
    const bounds = [0, 1, 2, 3].map((w) => BASE + 7 * w * DAY_MS);
    const request = { bounds, start: BASE, end: bounds.at(-1)! };
    const first = index.keyGroupTallies(request, groups, undefined).buckets;
    const again = index.keyGroupTallies(request, groups, undefined).buckets;
    expect(again.every((t, i) => t === first[i])).toBe(true);
    // Day 9 (in the second week) replaced by an empty one: only that week is counted again.
    const emptied = BASE + 9 * DAY_MS;
    index.replaceDays([{ day: new Date(emptied), users: [], u: [], t: [] }]);
    const { buckets: after, range } = index.keyGroupTallies(request, groups, undefined);
    expect(after.map((t, i) => t === first[i])).toEqual([true, false, true]);
    const left = logins.filter((l) => l.at < emptied || l.at >= emptied + DAY_MS);
    // The kept union of the first two weeks was dropped with them: the range counts without day 9.
    expect(HANDLERS.map((_h, g) => countBits(range.bits[g]!))).toEqual(
      HANDLERS.map(
        (h) =>
          new Set(
            left
              .filter((l) => l.handler === h && l.at >= request.start && l.at < request.end)
              .map((l) => l.user)
          ).size
      )
    );
    const report = oracle(
      left.filter((l) => l.handler === HANDLERS[0]),
      bounds,
      request.start,
      request.end
    );
    expect(after.map((t) => usersOf(t, 0))).toEqual(report.users);
    // With a people mask: that person's requests only (counted each time, not kept).
    const someone = left.find((l) => l.at >= BASE && l.handler === HANDLERS[0])!.user;
    const masked = index.keyGroupTallies(
      request,
      { ...groups, mask: index.userMask([someone]) },
      undefined
    ).buckets;
    const theirs = oracle(
      left.filter((l) => l.handler === HANDLERS[0] && l.user === someone),
      bounds,
      request.start,
      request.end
    );
    expect(masked.map((t) => usersOf(t, 0))).toEqual(theirs.users);
    expect(masked.map((t) => t.logins[0])).toEqual(theirs.logins);
  });
});
