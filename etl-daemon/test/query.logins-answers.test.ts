/**
 * The JSON answers of /api/v1/logins, assembled from a kept run of whole buckets and the cut buckets around
 * it (query/logins-answers.ts), are character for character the answer counted whole (answerLogins), for
 * ranges that move, every metric, filters and zones; and a run is reused across ranges that share it.
 */
import { SERIES_METRICS } from '../src/contract/metrics';
import { DAY_MS } from '../src/core/units';
import { seededRandom } from '../src/demo/random';
import { LoginIndex } from '../src/query/login-index';
import { LoginsAnswers } from '../src/query/logins-answers';
import type { LoginsQuery } from '../src/query/logins-query';
import { answerLogins } from '../src/query/logins-query';
import type { Unit } from '../src/time/aggregate';
import { WEEK_STARTS, calendarWork } from '../src/time/buckets';
import { BASE, randomLogins, toDays } from './login-fixtures';

const index = new LoginIndex();
index.replaceDays(toDays(randomLogins(20_000, 9)));
const sync = {
  index,
  readSlots: () => Promise.resolve(new Map()),
  progress: () => ({ ready: true, loadedDays: 1, totalDays: 1 }),
  dataUntil: () => new Date(BASE + 300 * DAY_MS),
  reloadDays: () => Promise.resolve(),
};
const random = seededRandom(31);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

it('should answer exactly what counting the whole range answers, for random queries', async () => {
  const answers = new LoginsAnswers(4 * 1024 * 1024);
  for (let round = 0; round < 120; round += 1) {
    const aggregate = pick<Unit>(['day', 'week', 'month', 'hour', 'quarter']);
    const start = BASE + Math.floor(random() * 200 * DAY_MS);
    const span = aggregate === 'hour' ? 3 * DAY_MS : (10 + Math.floor(random() * 150)) * DAY_MS;
    const query: LoginsQuery = {
      start,
      end: start + span + Math.floor(random() * DAY_MS),
      aggregate,
      tz: pick(['UTC', 'Asia/Kathmandu', 'Europe/Berlin', 'Australia/Lord_Howe']),
      weekStart: pick(WEEK_STARTS),
      metrics: [pick(SERIES_METRICS), pick(SERIES_METRICS)].filter((m, i, all) => all.indexOf(m) === i),
      users: random() < 0.3 ? ['u1', 'u7', 'u30', 'nobody'] : null,
    };
    const expected = JSON.stringify(await answerLogins(sync, query));
    expect(await answers.json(sync, query)).toBe(expected);
    // The same query with weeks starting on another day is not answered from what this one kept.
    const other = { ...query, weekStart: pick(WEEK_STARTS.filter((w) => w !== query.weekStart)) };
    expect(await answers.json(sync, other)).toBe(JSON.stringify(await answerLogins(sync, other)));
    // The same range with its end moved: the run of whole buckets is reused, the cut buckets are not.
    const moved = { ...query, end: query.end - 1 - Math.floor(random() * 1000) };
    expect(await answers.json(sync, moved)).toBe(JSON.stringify(await answerLogins(sync, moved)));
  }
});

it('should keep apart answers that differ only in the week start', async () => {
  const answers = new LoginsAnswers(4 * 1024 * 1024);
  const query: LoginsQuery = {
    start: BASE + 10 * DAY_MS,
    end: BASE + 120 * DAY_MS,
    aggregate: 'week',
    tz: 'UTC',
    weekStart: 'monday',
    metrics: ['users'],
    users: null,
  };
  const starts = new Map<string, string[]>();
  for (const weekStart of [...WEEK_STARTS, ...WEEK_STARTS]) {
    const body = JSON.parse(await answers.json(sync, { ...query, weekStart })) as {
      weekStart: string;
      buckets: { start: string }[];
    };
    expect(body.weekStart).toBe(weekStart);
    starts.set(
      weekStart,
      body.buckets.map((b) => b.start)
    );
  }
  // BASE is a Thursday (2026-01-01): Monday, Sunday and Saturday weeks start on those days.
  const weekday = (iso: string) => new Date(iso).getUTCDay();
  expect(
    starts
      .get('monday')
      ?.slice(1)
      .every((b) => weekday(b) === 1)
  ).toBe(true);
  expect(
    starts
      .get('sunday')
      ?.slice(1)
      .every((b) => weekday(b) === 0)
  ).toBe(true);
  expect(
    starts
      .get('saturday')
      ?.slice(1)
      .every((b) => weekday(b) === 6)
  ).toBe(true);
});

it('should answer a range inside one bucket, cut by both ends, as counted whole', async () => {
  const answers = new LoginsAnswers(4 * 1024 * 1024);
  for (const [aggregate, days] of [
    ['month', 5],
    ['week', 2],
    ['day', 0.3],
  ] as [Unit, number][]) {
    const start = BASE + 40 * DAY_MS + 3 * DAY_MS + 12_345;
    for (const end of [start + days * DAY_MS, start + days * DAY_MS + 999]) {
      const query: LoginsQuery = {
        start,
        end,
        aggregate,
        tz: 'UTC',
        weekStart: 'monday',
        metrics: ['users', 'logins'],
        users: null,
      };
      const body = await answers.json(sync, query);
      expect(body).toBe(JSON.stringify(await answerLogins(sync, query)));
      expect((JSON.parse(body) as { buckets: unknown[] }).buckets).toHaveLength(1);
    }
  }
});

it('should count a moved range without counting its whole buckets again', async () => {
  const answers = new LoginsAnswers(4 * 1024 * 1024);
  const query: LoginsQuery = {
    start: BASE + 3 * DAY_MS + 5,
    end: BASE + 250 * DAY_MS + 77,
    aggregate: 'day',
    tz: 'UTC',
    weekStart: 'monday',
    metrics: ['users', 'logins'],
    users: null,
  };
  await answers.json(sync, query);
  const count = jest.spyOn(index, 'count');
  try {
    await answers.json(sync, { ...query, end: query.end + 1000 });
    // Only the day cut by the moved end is counted: the first day (cut by start) and the 246 whole days are kept.
    expect(count.mock.calls.map(([bounds]) => bounds.length - 1)).toEqual([1]);
    count.mockClear();
    await answerLogins(sync, { ...query, end: query.end + 2000 });
    expect(count.mock.calls.map(([bounds]) => bounds.length - 1)).toEqual([248]);
  } finally {
    count.mockRestore();
  }
});

it('should answer a refresh whose end stays in the last bucket from the kept text, as counted whole', async () => {
  const answers = new LoginsAnswers(4 * 1024 * 1024);
  const query: LoginsQuery = {
    start: BASE + 2 * DAY_MS + 11,
    end: BASE + 150 * DAY_MS + 5 * 3_600_000,
    aggregate: 'week',
    tz: 'Asia/Kathmandu',
    weekStart: 'sunday',
    metrics: ['users', 'logins', 'new_users'],
    users: null,
  };
  await answers.json(sync, query);
  // Ends inside the same week (Kathmandu, from Sunday): one bucket counted each, no calendar walked.
  const ends = [query.end + 1, query.end + 2 * DAY_MS, query.end + 2 * DAY_MS + 7];
  const expected = await Promise.all(
    ends.map(async (end) => JSON.stringify(await answerLogins(sync, { ...query, end })))
  );
  const count = jest.spyOn(index, 'count');
  const walked = calendarWork.bounds;
  try {
    for (const [i, end] of ends.entries())
      expect(await answers.json(sync, { ...query, end })).toBe(expected[i]);
    expect(count.mock.calls.map(([b]) => b.length - 1)).toEqual([1, 1, 1]);
    expect(calendarWork.bounds).toBe(walked);
    // An end on the week's last instant, on its end (the bucket whole) and past it (the next week).
    const weekEnd = (
      JSON.parse(await answers.json(sync, query)) as { buckets: { end: string }[] }
    ).buckets.at(-1);
    const to = Date.parse(weekEnd?.end ?? '');
    for (const end of [to - 1, to, to + 1, to + 3 * DAY_MS]) {
      const moved = { ...query, end };
      expect(await answers.json(sync, moved)).toBe(JSON.stringify(await answerLogins(sync, moved)));
    }
  } finally {
    count.mockRestore();
  }
});

it('should not answer from a tail kept before the index changed', async () => {
  const local = new LoginIndex();
  local.replaceDays(toDays(randomLogins(5_000, 4)));
  const own = { ...sync, index: local };
  const answers = new LoginsAnswers(4 * 1024 * 1024);
  const query: LoginsQuery = {
    start: BASE,
    end: BASE + 40 * DAY_MS + 7,
    aggregate: 'week',
    tz: 'UTC',
    weekStart: 'monday',
    metrics: ['users', 'logins'],
    users: null,
  };
  await answers.json(own, query);
  const moved = { ...query, end: query.end + 1 };
  const before = JSON.stringify(await answerLogins(own, moved));
  // A login in the kept (first) part of the range, by a new user: a new generation.
  local.replaceDays(
    toDays([...randomLogins(5_000, 4), { user: 'late', at: BASE + 3 * DAY_MS }].sort((a, b) => a.at - b.at))
  );
  const body = await answers.json(own, moved);
  expect(body).toBe(JSON.stringify(await answerLogins(own, moved)));
  expect(body).not.toBe(before);
});

it('should keep a whole answer once its query comes a second time, not on its first', async () => {
  const answers = new LoginsAnswers(4 * 1024 * 1024);
  const query: LoginsQuery = {
    start: BASE + 10 * DAY_MS + 5,
    end: BASE + 90 * DAY_MS + 7,
    aggregate: 'week',
    tz: 'Europe/Berlin',
    weekStart: 'monday',
    metrics: ['users'],
    users: null,
  };
  const count = jest.spyOn(index, 'count');
  try {
    const first = await answers.json(sync, query);
    const second = await answers.json(sync, query);
    const counted = count.mock.calls.length;
    // Asked once: counted each time (its cut last bucket); asked twice: kept, no count.
    expect(counted).toBeGreaterThan(1);
    expect(await answers.json(sync, query)).toBe(first);
    expect([second, count.mock.calls.length]).toEqual([first, counted]);
  } finally {
    count.mockRestore();
  }
});
