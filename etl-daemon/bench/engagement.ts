import { DAY_MS } from '../src/core/units';
import { median } from './daemon-process';
import { BENCH_DIMS, handlerName } from './scale-data';

/** Median and first of `runs` requests, the i-th over the range `range(i)`. */
async function timeRequests(
  url: (start: number, end: number) => string,
  range: (i: number) => [number, number],
  runs = 33
): Promise<{ p50Ms: number; firstMs: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t = performance.now();
    const response = await fetch(url(...range(i)));
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`bench: ${url(...range(i))} answered ${response.status}`);
    times.push(performance.now() - t);
  }
  return { firstMs: times[0] ?? NaN, p50Ms: median(times.slice(3)) };
}

/**
 * Engagement over HTTP at the benchmark size (issue 11's aims): a year of daily `active_28d`, a year of the
 * weekly lifecycle, a 52-cohort weekly retention matrix, a year weekly broken down by 20 core4 groups and for
 * one group, by handler and for one handler (issue 17's aims), and the "who uses it" table of a year.
 */
export async function engagementBench(base: string, end: number): Promise<void> {
  const start = end - 364 * DAY_MS;
  const queries = [
    {
      name: 'one year of daily active_28d',
      aim: 10,
      path: (s: number, e: number) => `/api/v1/logins?start=${s}&end=${e}&aggregate=d&metric=active_28d`,
    },
    {
      name: 'one year of the weekly lifecycle',
      aim: 10,
      path: (s: number, e: number) =>
        `/api/v1/logins?start=${s}&end=${e}&aggregate=w&metric=new_users,returning,resurrecting,dormant`,
    },
    {
      name: 'one year of daily DAU/MAU (dau_mau)',
      aim: 10,
      path: (s: number, e: number) => `/api/v1/logins?start=${s}&end=${e}&aggregate=d&metric=dau_mau`,
    },
    {
      name: '52-cohort weekly retention',
      aim: 50,
      path: (s: number, e: number) => `/api/v1/retention?start=${s}&end=${e}&cohort=week&periods=52`,
    },
    {
      name: 'one year weekly users by 19 groups (breakdown)',
      aim: 20,
      path: (s: number, e: number) =>
        `/api/v1/logins?start=${s}&end=${e}&aggregate=w&metric=users&breakdown=role&limit=10`,
    },
    {
      name: 'one year weekly users+logins by 19 groups',
      aim: 20,
      path: (s: number, e: number) =>
        `/api/v1/logins?start=${s}&end=${e}&aggregate=w&metric=users,logins&breakdown=role&limit=10`,
    },
    {
      name: 'one year weekly users of one department (role=)',
      aim: 10,
      path: (s: number, e: number) =>
        `/api/v1/logins?start=${s}&end=${e}&aggregate=w&metric=users,logins&role=eng`,
    },
    {
      name: 'one year weekly users by handler (top 10 of 50)',
      aim: 20,
      path: (s: number, e: number) =>
        `/api/v1/logins?start=${s}&end=${e}&aggregate=w&metric=users&breakdown=handler&limit=10`,
    },
    {
      name: 'one year weekly users+logins of one handler',
      aim: 10,
      path: (s: number, e: number) =>
        `/api/v1/logins?start=${s}&end=${e}&aggregate=w&metric=users,logins&handler=${encodeURIComponent(handlerName(3, BENCH_DIMS.projects))}`,
    },
    {
      name: 'who uses it, a year, 100 rows',
      aim: 30,
      path: (s: number, e: number) => `/api/v1/users?details=true&start=${s}&end=${e}&limit=100`,
    },
  ];
  const line = (name: string, timed: { p50Ms: number; firstMs: number }, aim?: number) =>
    `${name.padEnd(52)} p50 ${timed.p50Ms.toFixed(2).padStart(7)} ms, first ${timed.firstMs.toFixed(1).padStart(6)} ms` +
    (aim === undefined ? '' : timed.p50Ms <= aim ? ` (aim ≤ ${aim} ms met)` : ` (aim ≤ ${aim} ms NOT met)`);
  for (const q of queries) {
    // A relative range refreshed: `end` moves by a millisecond (the whole buckets' answers are kept).
    const refreshed = await timeRequests(
      (s, e) => `${base}${q.path(s, e)}`,
      (i) => [start, end - i]
    );
    // Every bucket counted: the range moves by whole weeks (nothing kept but the index's own unions), its
    // edges on midnights, so that the time is the counting's, not a read of a cut slot from the database.
    const counted = await timeRequests(
      (s, e) => `${base}${q.path(s, e)}`,
      (i) => [start - 7 * i * DAY_MS, end - 7 * i * DAY_MS]
    );
    console.log(line(`${q.name}, end moving`, refreshed));
    console.log(line(`${q.name}, every bucket counted`, counted, q.aim));
  }
}
