import type { Collection, Document } from 'mongodb';

/** Documents per insert: each insert command stays well under MongoDB's message size limit. */
const BATCH = 10_000;

/** Inserts log documents in batches (unordered: a duplicate `_id` does not stop the rest). */
export async function insertInBatches(
  collection: Collection<Document>,
  docs: readonly Document[]
): Promise<void> {
  for (let i = 0; i < docs.length; i += BATCH) {
    await collection.insertMany(docs.slice(i, i + BATCH), { ordered: false });
  }
}

/** core4's index on sys.log's `created`, which every run's read uses. */
export async function ensureCreatedIndex(sysLog: Collection<Document>): Promise<void> {
  await sysLog.createIndex({ created: 1 });
}

/** Whether the collection holds any document. */
export async function hasDocuments(collection: Collection<Document>): Promise<boolean> {
  return (await collection.countDocuments({}, { limit: 1 })) > 0;
}
