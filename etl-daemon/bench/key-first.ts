/**
 * `npm run bench:key-first`: what first requests by key cost held as a table (the default) and not held
 * (past USAGE_KEY_FIRST_MB: a pass over the days per ask), side by side in one process on the same days.
 * Built straight into the index (no database): `--users` users over `--days` days, `--logins` requests,
 * `--handlers` handlers in 5 projects on `--hosts` hosts (a handler on a host is one key). Measured: the
 * table's bytes; the background build; a weekly year of new users by handler (limit 10 and other: 11 series)
 * asked first, again unchanged, and after each of 5 replacements of today (what a refresh every 5 minutes
 * does); median milliseconds.
 */
import { parseArgs } from 'node:util';
import { DAY_MS } from '../src/core/units';
import { DEFAULT_INDEX_LIMITS, DEFAULT_KEY_FIRST_MB } from '../src/core/limits';
import { seededRandom } from '../src/demo/random';
import type { DayEvents } from '../src/etl/day-events';
import { LoginIndex } from '../src/query/login-index';
import { allowedKeys } from '../src/query/requests';
import { median } from './daemon-process';

const SEPARATOR = '\u001f';

interface Size {
  users: number;
  days: number;
  logins: number;
  handlers: number;
  hosts: number;
}

/** A day of requests: users by a squared draw (a few heavy users), handlers too (a few popular apps). */
function dayOf(size: Size, dayNumber: number, n: number, seed: number): DayEvents {
  const random = seededRandom(seed);
  const t = Array.from({ length: n }, () => Math.floor(random() * DAY_MS)).sort((a, b) => a - b);
  const names = new Map<string, number>();
  const keys = new Map<string, number>();
  const u: number[] = [];
  const k: number[] = [];
  const local = (map: Map<string, number>, name: string) => {
    if (!map.has(name)) map.set(name, map.size);
    return map.get(name) as number;
  };
  for (let i = 0; i < n; i += 1) {
    const h = Math.floor(random() ** 2 * size.handlers);
    const key = `p${h % 5}.api.H${h}${SEPARATOR}host-${Math.floor(random() * size.hosts)}`;
    u.push(local(names, `u${Math.floor(random() ** 2 * size.users)}`));
    k.push(local(keys, key));
  }
  return { day: new Date(dayNumber * DAY_MS), users: [...names.keys()], u, t, keys: [...keys.keys()], k };
}

/** One way's figures (milliseconds unless named). */
interface Measured {
  label: string;
  tableBytes: number;
  build: number;
  firstAsk: number;
  again: number;
  afterChange: number;
  change: number;
  /** The new users of every ask added up: the same both ways when both count the same. */
  counted: number;
}

function timed(f: () => void): number {
  const started = performance.now();
  f();
  return performance.now() - started;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '5000' },
      days: { type: 'string', default: '365' },
      logins: { type: 'string', default: '2000000' },
      handlers: { type: 'string', default: '50' },
      hosts: { type: 'string', default: '5' },
    },
  });
  const size: Size = {
    users: Number(values.users),
    days: Number(values.days),
    logins: Number(values.logins),
    handlers: Number(values.handlers),
    hosts: Number(values.hosts),
  };
  for (const [name, v] of Object.entries(size))
    if (!(Number.isInteger(v) && v > 0)) throw new Error(`--${name}: '${v}' is not a whole number above 0`);
  const today = Math.floor(Date.now() / DAY_MS);
  const first = today - size.days + 1;
  const perDay = Math.round(size.logins / size.days);
  // Made as the index takes them (a 100 M run does not hold its requests twice).
  function* days(): Generator<DayEvents> {
    for (let i = 0; i < size.days; i += 1) yield dayOf(size, first + i, perDay, i + 1);
  }
  console.log(
    `size: ${size.users} users, ${size.days} days, ${perDay * size.days} requests, ${size.handlers} handlers ` +
      `on ${size.hosts} hosts`
  );
  const bounds: number[] = [];
  for (let t = (first - ((first + 3) % 7)) * DAY_MS; t <= (today + 1) * DAY_MS; t += 7 * DAY_MS)
    bounds.push(t);
  bounds.push((today + 1) * DAY_MS);
  const measured: Record<'held' | 'not held', Measured> = {} as Record<'held' | 'not held', Measured>;
  for (const [name, keyFirstBytes] of [
    ['held', DEFAULT_KEY_FIRST_MB * 1024 * 1024],
    ['not held', 0],
  ] as const) {
    const index = new LoginIndex({ ...DEFAULT_INDEX_LIMITS, keyFirstBytes });
    index.replaceDays(days());
    const before = index.bytes;
    const build = timed(() => {
      while (!index.prepareKeyFirst(20));
    });
    const tableBytes = index.bytes - before;
    // The top 10 handlers and the rest, as a breakdown by handler asks for them (disjoint: derived together).
    const handlers = Array.from({ length: size.handlers }, (_, h) => `p${h % 5}.api.H${h}`);
    const list = [
      ...handlers.slice(0, 10).map((h) => allowedKeys(index.keyNames, { handler: [h] })),
      allowedKeys(index.keyNames, { handler: handlers.slice(10) }),
    ];
    let counted = 0;
    const ask = () =>
      timed(() => {
        for (const derived of index.filteredMany(list))
          for (const n of derived.count(bounds, bounds[0] as number, bounds.at(-1) as number, ['new_users'])
            .new_users)
            counted += n;
      });
    const firstAsk = ask();
    const again = median(Array.from({ length: 5 }, ask));
    const afterChange = median(
      Array.from({ length: 5 }, (_, i) => {
        // Today again with a few more requests, as each 5-minute run replaces it.
        index.replaceDays([dayOf(size, today, perDay + 50 * (i + 1), 10_000 + i)]);
        return ask();
      })
    );
    const change = median(
      Array.from({ length: 5 }, (_, i) =>
        timed(() => index.replaceDays([dayOf(size, today, perDay + 300 + 50 * i, 20_000 + i)]))
      )
    );
    const label =
      `${name} (USAGE_KEY_FIRST_MB=${keyFirstBytes / 1024 / 1024}, ${index.keyNames.length} keys: ` +
      `${index.keyFirstHeld ? 'held' : 'let go'})`;
    measured[name] = { label, tableBytes, build, firstAsk, again, afterChange, change, counted };
  }
  console.log(
    '| first requests by key | table | built after start-up | breakdown first asked | asked again | asked after a change of today | the change itself |'
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const m of Object.values(measured)) {
    const figures = [
      `${(m.tableBytes / 1024 / 1024).toFixed(1)} MB`,
      `${m.build.toFixed(0)} ms`,
      `${m.firstAsk.toFixed(1)} ms`,
      `${m.again.toFixed(2)} ms`,
      `${m.afterChange.toFixed(1)} ms`,
      `${m.change.toFixed(1)} ms`,
    ];
    console.log(`| ${m.label} | ${figures.join(' | ')} |`);
  }
  const { held, 'not held': notHeld } = measured;
  console.log(
    `not held / held: asked after a change ${(notHeld.afterChange / held.afterChange).toFixed(1)}x; ` +
      `same new users counted: ${held.counted === notHeld.counted ? 'yes' : `NO (${held.counted} vs ${notHeld.counted})`}`
  );
}

main();
