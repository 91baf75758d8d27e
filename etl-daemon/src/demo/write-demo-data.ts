import type { Collection, Document } from 'mongodb';
import type { DemoOptions } from './generate-sys-log';
import { generateSysLog } from './generate-sys-log';

const BATCH = 10_000;

/** Inserts documents in batches that keep each insert command well under MongoDB's message size limit. */
export async function insertInBatches(
  collection: Collection<Document>,
  docs: readonly Document[]
): Promise<void> {
  for (let i = 0; i < docs.length; i += BATCH) {
    await collection.insertMany(docs.slice(i, i + BATCH), { ordered: false });
  }
}

/** Inserts generated sys.log documents day by day and ensures core4's `created` index; returns the count. */
export async function writeDemoData(
  sysLog: Collection<Document>,
  options: DemoOptions,
  onDay: (written: number) => void = () => undefined
): Promise<number> {
  await sysLog.createIndex({ created: 1 });
  let written = 0;
  for (const docs of generateSysLog(options)) {
    await insertInBatches(sysLog, docs);
    written += docs.length;
    onDay(written);
  }
  return written;
}
