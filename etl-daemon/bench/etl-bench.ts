import type { Document, MongoClient } from 'mongodb';
import pino from 'pino';
import { loadConfig } from '../src/config/config';
import { ensureIndexes, usageCollections } from '../src/db/collections';
import { generateSysLog } from '../src/demo/generate-sys-log';
import { insertInBatches } from '../src/db/sys-log';
import { sourceFilter } from '../src/etl/selector';
import type { RunDeps } from '../src/job/run-once';
import { runOnce } from '../src/job/run-once';
import { MINUTE_MS } from '../src/core/units';
import { addUtcDays, startOfUtcDay } from '../src/time/utc-day';
import { rate, seconds } from './bench-db';

export interface EtlBenchSize {
  days: number;
  users: number;
  perDay: number;
}

/**
 * Times a full backfill against a plain driver scan of the same source range (the read limit), then an
 * incremental run 5 minutes later, counting the sys.log documents it reads against the day's. The data is
 * core4's real line shapes, read with the default source (`core4-logins`). The lines of the last 5 minutes
 * are written only after the backfill, as they would arrive, so the incremental run has something new.
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
  await cols.sysLog.createIndex({ created: 1 });
  const backfillAt = new Date(end.getTime() - 5 * MINUTE_MS);
  let t = performance.now();
  let written = 0;
  const later: Document[] = [];
  for (const docs of generateSysLog({ ...size, end, seed: 4, lines: { seed: false, core4: true } })) {
    const now = docs.filter((d) => d.created < backfillAt);
    later.push(...docs.filter((d) => d.created >= backfillAt));
    await insertInBatches(cols.sysLog, now);
    written += now.length;
  }
  console.log(
    `generated ${(written + later.length).toLocaleString('en-US')} sys.log documents in ${seconds(performance.now() - t)}`
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

  const { selector, closeAfterMs, ingestLagMs } = loadConfig({});
  const deps = (at: Date): RunDeps => ({
    cols,
    selector,
    configStart: firstDay,
    leaseTtlMs: 10 * MINUTE_MS,
    closeAfterMs,
    ingestLagMs,
    owner: 'bench',
    clock: () => Promise.resolve(at),
    logger: pino({ level: 'silent' }),
  });
  t = performance.now();
  const backfill = await runOnce(deps(backfillAt), { start: firstDay.toISOString() }, 'bench-backfill', 1);
  const backfillMs = performance.now() - t;
  if (backfill.status !== 'success') throw new Error('bench: backfill skipped');
  console.log(
    `full backfill:      ${backfill.stats.days} days, ${backfill.stats.logins.toLocaleString('en-US')} logins in ${seconds(backfillMs)} = ` +
      `${rate(scanned, backfillMs)} source documents, ${rate(backfill.stats.logins, backfillMs)} logins; ` +
      `${((scanMs / backfillMs) * 100).toFixed(0)} % of the scan's rate (aim >= 50 %)`
  );

  await insertInBatches(cols.sysLog, later);
  const today = startOfUtcDay(end);
  const dayLines = await cols.sysLog.countDocuments(sourceFilter(selector, today, to));
  t = performance.now();
  const incremental = await runOnce(deps(end), {}, 'bench-incremental', 1);
  const incrementalMs = performance.now() - t;
  if (incremental.status !== 'success') throw new Error('bench: incremental run skipped');
  const { sourceDocs } = incremental.stats;
  console.log(
    `incremental, 5 min later: read ${sourceDocs.toLocaleString('en-US')} of the day's ${dayLines.toLocaleString('en-US')} login lines ` +
      `(${((sourceDocs / dayLines) * 100).toFixed(1)} %, aim <= 5 %; ${later.length} documents arrived since the backfill), ` +
      `${incremental.stats.days} days written in ${seconds(incrementalMs)} = ${((incrementalMs / backfillMs) * 100).toFixed(1)} % of the backfill's time`
  );
}
