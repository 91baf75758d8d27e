import type { Collection, CollectionOptions, Document, MongoClientOptions } from 'mongodb';
import { ReadPreference } from 'mongodb';
import { MINUTE_MS, SECOND_MS } from '../core/units';

/**
 * What this product relies on from a MongoDB deployment, stated in code rather than left to the URI.
 *
 * - The login collections (`USAGE_LOGIN` and its siblings) are written with `w: "majority"`: on a
 *   primary-secondary-arbiter set the default is `w: 1`, and a write acknowledged by one member can be rolled
 *   back after a failover, which would hand two writers the same fencing token or shift every user id after a
 *   rolled-back dictionary batch (MongoDB manual, "Write Concern" and "Rollbacks During Replica Set Failover").
 *   `wtimeoutMS` bounds the wait for the majority: a write behind a lagging secondary fails instead of
 *   blocking while its writer holds the lease.
 * - They are read with `readConcern: "majority"` and `readPreference: "primary"` whatever the URI says: a
 *   `readPreference=secondary…` meant for reporting tools must not make the job re-read today's stored
 *   logins from a secondary that has not caught up, nor the index load a day the primary will roll back
 *   ("Read Concern \"majority\"", "Read Preference").
 * - Every read and command carries `maxTimeMS` (the server stops it), every socket `socketTimeoutMS` (the
 *   client gives up on a server that stopped answering); the 6.x driver does not apply `timeoutMS`.
 * - `serverSelectionTimeoutMS` is at least 30 s: an unplanned election takes about 12 s, and the driver
 *   retries a retryable write or read once, after selecting the new primary ("Retryable Writes").
 * sys.log is read as the URI says (a secondary is fine there: late lines are re-read within the ingest lag).
 */
export interface MongoSettings {
  /** maxTimeMS of every read and command on the login collections and of server commands. */
  maxTimeMS: number;
  /** maxTimeMS of a run's read of sys.log (one cursor; its time is cumulative over its batches). */
  sourceMaxTimeMS: number;
  /** How long a majority write may wait for the secondaries. */
  wtimeoutMS: number;
  /** The client-side limit on a socket with no answer. */
  socketTimeoutMS: number;
  serverSelectionTimeoutMS: number;
}

/** The lower bound of serverSelectionTimeoutMS: longer than an unplanned election (about 12 s). */
export const MIN_SERVER_SELECTION_MS = 30 * SECOND_MS;

export const DEFAULT_MONGO_SETTINGS: MongoSettings = {
  maxTimeMS: 30 * SECOND_MS,
  sourceMaxTimeMS: 2 * 60 * MINUTE_MS,
  wtimeoutMS: 30 * SECOND_MS,
  socketTimeoutMS: 10 * MINUTE_MS,
  serverSelectionTimeoutMS: MIN_SERVER_SELECTION_MS,
};

/** The client options every process of this product uses (they override the same options in the URI). */
export function clientOptions(settings: MongoSettings): MongoClientOptions {
  return {
    appName: 'core4-usage',
    serverSelectionTimeoutMS: settings.serverSelectionTimeoutMS,
    socketTimeoutMS: settings.socketTimeoutMS,
  };
}

/** Options of the login collections: majority writes and reads, on the primary. */
export function loginCollectionOptions(settings: MongoSettings): CollectionOptions {
  return {
    writeConcern: { w: 'majority', wtimeoutMS: settings.wtimeoutMS },
    readConcern: { level: 'majority' },
    readPreference: ReadPreference.primary,
  };
}

/**
 * The time limit each collection's reads carry, kept beside the collection object the way the driver keeps
 * its read and write concerns there (the driver has no collection-level maxTimeMS). Collections opened
 * elsewhere (tests' own handles) fall back to the default.
 */
const limits = new WeakMap<Collection<Document>, number>();

export function withTimeLimit<T extends Document>(
  collection: Collection<T>,
  maxTimeMS: number
): Collection<T> {
  limits.set(collection as unknown as Collection<Document>, maxTimeMS);
  return collection;
}

/** `{ maxTimeMS }` for a read on `collection`. */
export function timeLimit<T extends Document>(collection: Collection<T>): { maxTimeMS: number } {
  return {
    maxTimeMS: limits.get(collection as unknown as Collection<Document>) ?? DEFAULT_MONGO_SETTINGS.maxTimeMS,
  };
}
