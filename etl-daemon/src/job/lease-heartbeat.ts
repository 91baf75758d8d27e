import type { Logger } from 'pino';
import type { JobDoc } from '../db/collections';
import type { Collection } from 'mongodb';
import type { LeaseHold } from '../db/lease';
import { renewLease } from '../db/lease';
import type { Clock } from '../db/server-clock';

export interface Heartbeat {
  /** True once a renewal found the lease taken over: the holder must stop writing. */
  lost(): boolean;
  stop(): void;
}

/** Renews a held lease every third of its lifetime until stopped (runs and `summarize` alike). */
export function startHeartbeat(
  job: Collection<JobDoc>,
  hold: LeaseHold,
  options: { ttlMs: number; clock: Clock; logger: Logger }
): Heartbeat {
  let lost = false;
  const timer = setInterval(
    () => {
      options
        .clock()
        .then((now) => renewLease(job, hold, options.ttlMs, now))
        .then(
          (held) => {
            if (!held) lost = true;
          },
          (error: unknown) => options.logger.warn({ err: error }, 'lease renewal failed; retrying')
        );
    },
    Math.max(1000, Math.floor(options.ttlMs / 3))
  );
  return { lost: () => lost, stop: () => clearInterval(timer) };
}
