import type { Collection, Db, Document, MongoClient } from 'mongodb';
import type { Namespace } from './namespace';
import { formatNamespace } from './namespace';
import type { HourChunk } from '../etl/day-chunks';
import type { SummaryDoc } from './day-summary';
import type { NameBatchDoc } from './user-names';
import type { MembershipDoc, MembershipPartDoc } from './roles';
import type { MongoSettings } from './deployment';
import { DEFAULT_MONGO_SETTINGS, loginCollectionOptions, withTimeLimit } from './deployment';

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
  /**
   * The run under which the base's summary is stored when it is not `run`: `summarize` writes the summary
   * of a day stored before summaries under an id of its own, so that parts left by a crashed `summarize`
   * are never mistaken for the day's.
   */
  summaryRun?: string;
  /**
   * What later runs of the open day appended: each the logins new since the previous one, as chunks and a
   * slot summary of their own (db/write-day.ts, appendToDay). `chunks`, `summaries` above count the base
   * run's documents; `logins` and `users` are the whole day's. Absent on days written before appends
   * existed (their next run rewrites them whole, once) and empty on a base just written.
   */
  segments?: DaySegment[];
}

/** Documents one appended run wrote for an open day. */
export interface DaySegment {
  run: string;
  chunks: number;
  summaries: number;
  logins: number;
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
  /** core4's roles (USAGE_ROLES), when configured: the groups of role filters (db/roles.ts). */
  sysRole: Collection<Document> | undefined;
  sysRoleName: string | undefined;
  /** core4's handler registry (USAGE_HANDLERS), when configured: the titles of handlers (db/sys-handler.ts). */
  sysHandler: Collection<Document> | undefined;
  /** The membership expanded from sys.role, stored by runs and loaded by every process (db/roles.ts). */
  role: Collection<MembershipDoc>;
  roleParts: Collection<MembershipPartDoc>;
  /** Time limits of reads and commands (db/deployment.ts). */
  settings: MongoSettings;
}

export const JOB_NAME = 'aggregate-core4-usage';

/** The collection at a `database.collection` address, as the URI's concerns have it. */
export function collectionAt(client: MongoClient, ns: Namespace): Collection {
  return client.db(ns.db).collection(ns.collection);
}

/**
 * The collections of one source and target. The login collections are opened with the deployment's
 * concerns and time limit (db/deployment.ts), whatever the URI says; sys.log as the URI says.
 */
export function usageCollections(
  client: MongoClient,
  sysLog: Namespace,
  login: Namespace,
  settings: MongoSettings = DEFAULT_MONGO_SETTINGS,
  { sysRole, sysHandler }: { sysRole?: Namespace | undefined; sysHandler?: Namespace | undefined } = {}
): UsageCollections {
  const target = client.db(login.db);
  const options = loginCollectionOptions(settings);
  const open = <T extends Document>(suffix: string) =>
    withTimeLimit(target.collection<T>(`${login.collection}${suffix}`, options), settings.maxTimeMS);
  return {
    db: target,
    sysLog: withTimeLimit(collectionAt(client, sysLog), settings.maxTimeMS),
    chunks: open<ChunkDoc>(''),
    days: open<DayDoc>('.day'),
    job: open<JobDoc>('.job'),
    runs: open<RunDoc>('.run'),
    summaries: open<SummaryDoc>('.summary'),
    names: open<NameBatchDoc>('.names'),
    sysLogName: formatNamespace(sysLog),
    sysRole: sysRole ? withTimeLimit(collectionAt(client, sysRole), settings.maxTimeMS) : undefined,
    sysRoleName: sysRole ? formatNamespace(sysRole) : undefined,
    sysHandler: sysHandler ? withTimeLimit(collectionAt(client, sysHandler), settings.maxTimeMS) : undefined,
    role: open<MembershipDoc>('.role'),
    roleParts: open<MembershipPartDoc>('.role.part'),
    settings,
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
  await cols.role.createIndex({ name: 1 }, { unique: true });
  await cols.roleParts.createIndex({ set: 1, part: 1 });
}
