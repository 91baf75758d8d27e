import { DAY_MS } from '../src/core/units';
import { median } from './daemon-process';

/** Median and first of `runs` requests, each with `end` one millisecond earlier: no answer is reused. */
async function timeMoving(
  url: (end: number) => string,
  end: number,
  runs = 33
): Promise<{ p50Ms: number; firstMs: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t = performance.now();
    const response = await fetch(url(end - i));
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`bench: ${url(end - i)} answered ${response.status}`);
    times.push(performance.now() - t);
  }
  return { firstMs: times[0] ?? NaN, p50Ms: median(times.slice(3)) };
}

/**
 * Engagement over HTTP at the benchmark size (issue 11's aims): a year of daily `active_28d`, a year of the
 * weekly lifecycle, a 52-cohort weekly retention matrix, and the "who uses it" table of a year.
 */
export async function engagementBench(base: string, end: number): Promise<void> {
  const start = end - 364 * DAY_MS;
  const queries = [
    {
      name: 'one year of daily active_28d',
      aim: 10,
      path: (e: number) => `/api/v1/logins?start=${start}&end=${e}&aggregate=d&metric=active_28d`,
    },
    {
      name: 'one year of the weekly lifecycle',
      aim: 10,
      path: (e: number) =>
        `/api/v1/logins?start=${start}&end=${e}&aggregate=w&metric=new_users,returning,resurrecting,dormant`,
    },
    {
      name: 'one year of daily stickiness',
      aim: 10,
      path: (e: number) => `/api/v1/logins?start=${start}&end=${e}&aggregate=d&metric=stickiness`,
    },
    {
      name: '52-cohort weekly retention',
      aim: 50,
      path: (e: number) => `/api/v1/retention?start=${start}&end=${e}&cohort=week&periods=52`,
    },
    {
      name: 'who uses it, a year, 100 rows',
      aim: 30,
      path: (e: number) => `/api/v1/users?details=true&start=${start}&end=${e}&limit=100`,
    },
  ];
  for (const q of queries) {
    // `end` moves by a millisecond each time: every request is computed (no answer cache).
    const timed = await timeMoving((e) => `${base}${q.path(e)}`, end);
    const aim =
      q.aim === undefined
        ? ''
        : timed.p50Ms <= q.aim
          ? ` (aim ≤ ${q.aim} ms met)`
          : ` (aim ≤ ${q.aim} ms NOT met)`;
    console.log(
      `${q.name.padEnd(36)} p50 ${timed.p50Ms.toFixed(2).padStart(7)} ms, first ${timed.firstMs.toFixed(1)} ms${aim}`
    );
  }
}
