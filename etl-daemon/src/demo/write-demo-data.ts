import type { Collection, Document } from 'mongodb';
import { ensureCreatedIndex, insertInBatches } from '../db/sys-log';
import type { DemoOptions } from './generate-sys-log';
import { generateSysLog } from './generate-sys-log';

/** Inserts generated sys.log documents day by day and ensures core4's `created` index; returns the count. */
export async function writeDemoData(
  sysLog: Collection<Document>,
  options: DemoOptions,
  onDay: (written: number) => void = () => undefined
): Promise<number> {
  await ensureCreatedIndex(sysLog);
  let written = 0;
  for (const docs of generateSysLog(options)) {
    await insertInBatches(sysLog, docs);
    written += docs.length;
    onDay(written);
  }
  return written;
}
