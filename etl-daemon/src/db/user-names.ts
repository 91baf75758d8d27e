import type { Collection } from 'mongodb';
import { timeLimit } from './deployment';

/**
 * home.login.names: the user dictionary, in batches. Batch k holds the names with ids
 * [base_k, base_k + names.length), where base_k is the sum of the lengths of batches 0 … k-1. Names are
 * only ever appended, so an id means the same name forever, and the index loader reads each name once
 * instead of once per day (decoding 30,000 names per day costs about 8 ms, 15 s for five years).
 */
export interface NameBatchDoc {
  batch: number;
  /**
   * The id of the batch's first name (the sizes of the batches before it, added up), written with its names:
   * a reader checks it, so a batch that does not sit where its writer put it (one lost in a rollback and
   * claimed again with other names) stops the load instead of shifting every later id. Batches written
   * before this field existed have none and are read in order, as they always were.
   */
  base?: number;
  /** 0 while claimed but not yet filled (a crash between the two steps leaves it for the next writer). */
  size: number;
  names: string[];
  writtenAt: Date;
}

/** 10,000 names of up to 256 characters: at most 2.5 MB per document. */
const NAME_BATCH = 10_000;

export class NameDictionary {
  readonly names: string[] = [];
  readonly ids = new Map<string, number>();
  /** Batches read so far. */
  batches = 0;

  /** Appends a batch read from the collection; a name listed twice keeps its first id. */
  add(names: readonly string[]): void {
    for (const name of names) {
      if (!this.ids.has(name)) this.ids.set(name, this.names.length);
      this.names.push(name);
    }
    this.batches += 1;
  }
}

/** A dictionary batch is not where its writer put it: ids after it cannot be trusted. */
export class DictionaryError extends Error {
  override name = 'DictionaryError';
}

/** Reads the batches after those `dict` holds, up to the first unfilled one, each checked at its position. */
export async function loadNames(
  col: Collection<NameBatchDoc>,
  dict = new NameDictionary()
): Promise<NameDictionary> {
  const docs = await col
    .find(
      { batch: { $gte: dict.batches } },
      { projection: { _id: 0, batch: 1, size: 1, base: 1, names: 1 }, ...timeLimit(col) }
    )
    .sort({ batch: 1 })
    .toArray();
  for (const doc of docs) {
    if (doc.batch !== dict.batches || doc.size === 0) break;
    if (doc.base !== undefined && doc.base !== dict.names.length) {
      throw new DictionaryError(
        `user dictionary batch ${doc.batch} starts at id ${doc.base}, but the batches before it end at ` +
          `${dict.names.length}: a batch was lost (a rollback?) and ids after it cannot be trusted`
      );
    }
    dict.add(doc.names);
  }
  return dict;
}

/**
 * The dictionary ids of `names`, appending the unknown ones. Each new batch is claimed by a conditional
 * update of an empty batch document (created empty first, as day documents are), so two writers never fill
 * the same batch: the loser reads the winner's names and tries the next batch.
 */
export async function ensureNames(
  col: Collection<NameBatchDoc>,
  dict: NameDictionary,
  names: Iterable<string>,
  now: Date
): Promise<void> {
  for (;;) {
    const missing = [...new Set(names)].filter((name) => !dict.ids.has(name));
    if (missing.length === 0) return;
    const batch = dict.batches;
    const fill = missing.slice(0, NAME_BATCH);
    await col.updateOne(
      { batch },
      { $setOnInsert: { batch, size: 0, names: [], writtenAt: now } },
      { upsert: true }
    );
    const claimed = await col.updateOne(
      { batch, size: 0 },
      { $set: { size: fill.length, base: dict.names.length, names: fill, writtenAt: now } }
    );
    if (claimed.matchedCount === 1) dict.add(fill);
    else await loadNames(col, dict);
  }
}
