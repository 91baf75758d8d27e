import type { Document, MongoClient } from 'mongodb';
import pino from 'pino';
import { DEFAULT_SELECTOR_CONFIG } from './selectors';
import { ensureIndexes, usageCollections } from '../src/db/collections';
import { writeDemoData } from '../src/demo/write-demo-data';
import { runOnce } from '../src/job/run-once';
import { addUtcDays, startOfUtcDay } from '../src/time/utc-day';
import { rate, seconds } from './bench-db';

export interface EtlBenchSize {
  days: number;
  users: number;
  perDay: number;
}

/**
 * Times a full backfill and a one-day incremental run against a plain driver scan of the same source
 * range (the read limit), all in this process on the same data.
 */
export async function etlBench(client: MongoClient, size: EtlBenchSize, end: Date): Promise<void> {
  const cols = usageCollections(
    client,
    { db: 'bench_core4', collection: 'sys.log' },
    { db: 'bench_home', collection: 'login' }
  );
  await client.db('bench_core4').dropDatabase();
  await client.db('bench_home').dropDatabase();
  await ensureIndexes(cols);
  let t = performance.now();
  const written = await writeDemoData(cols.sysLog, { ...size, end, seed: 4 });
  console.log(
    `generated ${written.toLocaleString('en-US')} sys.log documents in ${seconds(performance.now() - t)}`
  );

  const firstDay = addUtcDays(startOfUtcDay(end), -(size.days - 1));
  const to = addUtcDays(startOfUtcDay(end), 1);
  t = performance.now();
  let scanned = 0;
  for await (const doc of cols.sysLog.find(
    { created: { $gte: firstDay, $lt: to } },
    { batchSize: 5000 }
  ) as AsyncIterable<Document>) {
    if (doc.created) scanned += 1;
  }
  const scanMs = performance.now() - t;
  console.log(
    `plain driver scan:  ${scanned.toLocaleString('en-US')} documents in ${seconds(scanMs)} = ${rate(scanned, scanMs)}`
  );

  const deps = {
    cols,
    selector: DEFAULT_SELECTOR_CONFIG,
    configStart: firstDay,
    leaseTtlMs: 10 * 60_000,
    owner: 'bench',
    now: () => end,
    logger: pino({ level: 'silent' }),
  };
  t = performance.now();
  const backfill = await runOnce(deps, { start: firstDay.toISOString() }, 'bench-backfill', 1);
  const backfillMs = performance.now() - t;
  if (backfill.status !== 'success') throw new Error('bench: backfill skipped');
  console.log(
    `full backfill:      ${backfill.stats.days} days, ${backfill.stats.logins.toLocaleString('en-US')} logins in ${seconds(backfillMs)} = ` +
      `${rate(scanned, backfillMs)} source documents, ${rate(backfill.stats.logins, backfillMs)} logins; ` +
      `${((scanMs / backfillMs) * 100).toFixed(0)} % of the scan's rate`
  );

  t = performance.now();
  const incremental = await runOnce(deps, {}, 'bench-incremental', 1);
  const incrementalMs = performance.now() - t;
  if (incremental.status !== 'success') throw new Error('bench: incremental run skipped');
  console.log(
    `one-day incremental: ${incremental.stats.days} day, ${incremental.stats.logins.toLocaleString('en-US')} logins in ${seconds(incrementalMs)} = ` +
      `${((incrementalMs / backfillMs) * 100).toFixed(1)} % of the backfill's time`
  );
}
