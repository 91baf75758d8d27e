import type { Collection, Db, Document, MongoClient } from 'mongodb';
import type { Namespace } from '../config/namespace';
import { formatNamespace } from '../config/namespace';
import type { HourChunk } from '../etl/day-chunks';
import type { SummaryDoc } from './day-summary';
import type { NameBatchDoc } from './user-names';

/** Where a reporting document came from (the original's `_src`). */
export interface SourceRef {
  collection: string;
  from: Date;
  to: Date;
}

/** home.login: the logins of one UTC hour (part), written by run `run`. */
export interface ChunkDoc extends HourChunk {
  day: Date;
  run: string;
  /** The writer's fencing token (see db/lease.ts). */
  fence: number;
  src: SourceRef;
  writtenAt: Date;
}

/** home.login.day: which run's chunks are current for a UTC day, and what they add up to. */
export interface DayDoc {
  day: Date;
  run: string;
  chunks: number;
  logins: number;
  users: number;
  /** False while the day is still running (today): the next run replaces it. */
  complete: boolean;
  src: SourceRef;
  /** The MongoDB server's time of the switch: the index loader's watermark follows it. */
  writtenAt: Date;
  /** Fencing token of the run that switched the day; only a writer with a token at least as large may. */
  fence: number;
  /** What selected the logins (sourceKey): a day read under another selection is re-read whole. */
  selection: string;
  /**
   * Documents of the run's slot summary in home.login.summary; absent on days written before summaries
   * existed (the index loader then summarises the chunks itself).
   */
  summaries?: number;
}

export type JobState = 'idle' | 'running' | 'failed';

export interface RunStats {
  days: number;
  logins: number;
  excluded: number;
  malformed: number;
  /** Names read from core4's `re.compile('…', …)` form (unwrapped and case-folded). */
  unwrapped: number;
  /** sys.log documents the run's query returned: what a run costs the source. */
  sourceDocs: number;
}

export interface LastRun {
  id: string;
  attempt: number;
  start: Date;
  end: Date;
  startedAt: Date;
  finishedAt?: Date;
  result?: 'success' | 'failed' | 'aborted';
  error?: string;
  stats?: RunStats;
}

export interface Lease {
  owner: string;
  until: Date;
  acquiredAt: Date;
}

/** home.login.job: the job's state, progress, checkpoint and lease, one document per job name. */
export interface JobDoc {
  name: string;
  state: JobState;
  progress?: { fraction: number; message: string; at: Date };
  lastRun?: LastRun;
  /** First UTC day that is not yet complete in home.login. */
  checkpoint?: Date;
  /** Instant up to which home.login holds every login. */
  dataUntil?: Date;
  lastSuccessAt?: Date;
  nextRunAt?: Date;
  lease?: Lease | null;
  /** Fencing token: grows with every lease acquisition (db/lease.ts). */
  fence?: number;
  updatedAt?: Date;
}

/** home.login.run: one document per finished attempt, for annotations and audits. */
export type RunDoc = Required<Pick<LastRun, 'id' | 'attempt' | 'startedAt' | 'finishedAt' | 'result'>> &
  Partial<Pick<LastRun, 'start' | 'end' | 'stats' | 'error'>>;

export interface UsageCollections {
  /** The target database (home), whose server also tells the time (serverClock). */
  db: Db;
  sysLog: Collection<Document>;
  chunks: Collection<ChunkDoc>;
  days: Collection<DayDoc>;
  job: Collection<JobDoc>;
  runs: Collection<RunDoc>;
  /** Per-day slot summaries, the index's source (db/day-summary.ts). */
  summaries: Collection<SummaryDoc>;
  /** The user dictionary the summaries' ids refer to (db/user-names.ts). */
  names: Collection<NameBatchDoc>;
  /** `db.collection` of the source, recorded in every document written. */
  sysLogName: string;
}

export const JOB_NAME = 'aggregate-core4-usage';

export function usageCollections(client: MongoClient, sysLog: Namespace, login: Namespace): UsageCollections {
  const target = client.db(login.db);
  return {
    db: target,
    sysLog: client.db(sysLog.db).collection(sysLog.collection),
    chunks: target.collection<ChunkDoc>(login.collection),
    days: target.collection<DayDoc>(`${login.collection}.day`),
    job: target.collection<JobDoc>(`${login.collection}.job`),
    runs: target.collection<RunDoc>(`${login.collection}.run`),
    summaries: target.collection<SummaryDoc>(`${login.collection}.summary`),
    names: target.collection<NameBatchDoc>(`${login.collection}.names`),
    sysLogName: formatNamespace(sysLog),
  };
}

/** Keys are ordinary fields, not `_id`: see the README's schema section. */
export async function ensureIndexes(cols: UsageCollections): Promise<void> {
  await cols.chunks.createIndex({ day: 1, run: 1 });
  await cols.days.createIndex({ day: 1 }, { unique: true });
  await cols.days.createIndex({ writtenAt: 1 });
  await cols.job.createIndex({ name: 1 }, { unique: true });
  await cols.runs.createIndex({ finishedAt: 1 });
  await cols.summaries.createIndex({ day: 1, run: 1 });
  await cols.names.createIndex({ batch: 1 }, { unique: true });
}
