import type { Collection } from 'mongodb';
import type { JobDoc } from './collections';
import { JOB_NAME } from './collections';
import { timeLimit } from './deployment';

/**
 * A held lease: the owner and its fencing token. `fence` grows by one with every acquisition, so a later
 * holder always carries a larger token than an earlier one; day switches and chunk deletions are
 * conditional on it (see writeDay), so a runner that lost its lease cannot undo a later holder's work.
 */
export interface LeaseHold {
  owner: string;
  fence: number;
}

/**
 * One runner at a time across processes: the job document carries a lease that expires unless its owner
 * renews it. `now` is the MongoDB server's time (see serverClock), never a host's own clock: a host whose
 * clock runs ahead would otherwise see a live lease as expired. Every step is a single-document update.
 */
export async function acquireLease(
  job: Collection<JobDoc>,
  owner: string,
  ttlMs: number,
  now: Date
): Promise<LeaseHold | undefined> {
  await job.updateOne(
    { name: JOB_NAME },
    { $setOnInsert: { name: JOB_NAME, state: 'idle' } },
    { upsert: true }
  );
  const taken = await job.findOneAndUpdate(
    { name: JOB_NAME, $or: [{ lease: null }, { 'lease.until': { $lt: now } }, { 'lease.owner': owner }] },
    {
      $set: { lease: { owner, until: new Date(now.getTime() + ttlMs), acquiredAt: now } },
      $inc: { fence: 1 },
    },
    { returnDocument: 'after', projection: { _id: 0, fence: 1 }, ...timeLimit(job) }
  );
  return taken && typeof taken.fence === 'number' ? { owner, fence: taken.fence } : undefined;
}

/** Extends the lease; false means another process took it (ours expired). */
export async function renewLease(
  job: Collection<JobDoc>,
  hold: LeaseHold,
  ttlMs: number,
  now: Date
): Promise<boolean> {
  const result = await job.updateOne(
    { name: JOB_NAME, 'lease.owner': hold.owner, fence: hold.fence },
    { $set: { 'lease.until': new Date(now.getTime() + ttlMs) } }
  );
  return result.matchedCount === 1;
}

export async function releaseLease(job: Collection<JobDoc>, hold: LeaseHold): Promise<void> {
  await job.updateOne(
    { name: JOB_NAME, 'lease.owner': hold.owner, fence: hold.fence },
    { $set: { lease: null } }
  );
}
