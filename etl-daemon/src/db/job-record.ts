import type { Collection, UpdateFilter } from 'mongodb';
import type { JobDoc } from './collections';
import { JOB_NAME } from './collections';
import { timeLimit } from './deployment';
import type { LeaseHold } from './lease';

export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
  constructor() {
    super('the job lease was taken over by another process; this run stopped');
  }
}

export async function readJob(job: Collection<JobDoc>): Promise<JobDoc | null> {
  return job.findOne({ name: JOB_NAME }, { projection: { _id: 0 }, ...timeLimit(job) });
}

/** Updates the job document only while `hold` is the current lease, so a runner that lost it cannot write. */
export async function updateJobAsOwner(
  job: Collection<JobDoc>,
  hold: LeaseHold,
  set: Partial<JobDoc>,
  now: Date
): Promise<void> {
  const update: UpdateFilter<JobDoc> = { $set: { ...set, updatedAt: now } };
  const result = await job.updateOne(
    { name: JOB_NAME, 'lease.owner': hold.owner, fence: hold.fence },
    update
  );
  if (result.matchedCount !== 1) throw new LeaseLostError();
}

/** Fields any process may set (the next scheduled time is a property of the scheduler, not of a run). */
export async function updateJob(job: Collection<JobDoc>, set: Partial<JobDoc>, now: Date): Promise<void> {
  await job.updateOne({ name: JOB_NAME }, { $set: { ...set, updatedAt: now } }, { upsert: true });
}

/**
 * Records a failed attempt; the last one also puts the job into state `failed`. A run stopped by shutdown
 * is `aborted` and leaves the job idle: the next run resumes from the checkpoint.
 */
export async function recordFailure(
  job: Collection<JobDoc>,
  failure: { runId: string; attempt: number; error: string; final: boolean; aborted: boolean },
  now: Date
): Promise<void> {
  await job.updateOne(
    { name: JOB_NAME },
    {
      $set: {
        state: failure.final && !failure.aborted ? 'failed' : 'idle',
        'lastRun.id': failure.runId,
        'lastRun.attempt': failure.attempt,
        'lastRun.finishedAt': now,
        'lastRun.result': failure.aborted ? 'aborted' : 'failed',
        'lastRun.error': failure.error,
        updatedAt: now,
      },
    },
    { upsert: true }
  );
}
