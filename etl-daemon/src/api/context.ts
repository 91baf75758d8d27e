import type { ApiConfig } from '../config/config';
import type { UsageCollections } from '../db/collections';
import type { JobRunner } from '../job/job-runner';
import type { IndexSync } from '../query/index-loader';
import type { UsageMetrics } from './metrics';

/** One materialised source: its collections, index and job runner. */
export interface ApiSource {
  name: string;
  cols: UsageCollections;
  sync: IndexSync;
  runner: JobRunner;
  /** Whether its names are core4's canonical role names (see ApiContext). */
  canonicalNames: boolean;
}

/** What the routes need, handed to each route plugin as its options (no singletons). */
export interface ApiContext {
  /** The first (default) source's collections, index and runner. */
  cols: UsageCollections;
  sync: IndexSync;
  runner: JobRunner;
  /** Every source, the first being the default; absent: the one above only. */
  sources?: ApiSource[];
  metrics: UsageMetrics;
  api: ApiConfig;
  leaseTtlMs: number;
  configStart: Date;
  now: () => Date;
  /**
   * Whether the source's names are core4's canonical role names (its presets; not `seed` or a custom regex):
   * only then can they be compared with sys.role (status=never). Default true.
   */
  canonicalNames?: boolean;
  /** Resolves when MongoDB answers a ping. */
  ping: () => Promise<void>;
}
