/**
 * `npm run bench`: the ETL benchmark, then the query benchmark on its result, on a year of demo data.
 * `--scale F` multiplies the number of logins per day (1 = about 2 million logins among 6 million lines).
 */
import { parseArgs } from 'node:util';
import { openBenchDb } from './bench-db';
import { apiBench } from './api-bench';
import { etlBench } from './etl-bench';
import { HOUR_MS } from '../src/core/units';
import { startOfUtcDay } from '../src/time/utc-day';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { scale: { type: 'string', default: '1' } } });
  // Yesterday 16:00 UTC: the incremental run then extends an afternoon, not the first minutes of a day.
  const end = new Date(startOfUtcDay(new Date()).getTime() - 8 * HOUR_MS);
  const scale = Number(values.scale);
  if (!(scale > 0 && scale <= 10)) throw new Error(`--scale: '${values.scale}' is not a number in (0, 10]`);
  // 6,850 logins on a working day, 30 % of that at weekends: about 2 million logins a year at scale 1.
  const size = { days: 365, users: 5000, perDay: Math.round(6850 * scale) };
  const db = await openBenchDb();
  console.log(`server: ${db.server}`);
  console.log(
    `size: ${size.days} days, ${size.users} users, ${size.perDay} logins per working day (scale ${scale})`
  );
  try {
    await etlBench(db.client, size, end);
    await apiBench(db.client, db.uri, end);
  } finally {
    await db.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
