import type { Collection } from 'mongodb';
import type { JobDoc } from './collections';
import { JOB_NAME } from './collections';

/**
 * One runner at a time across processes: the job document carries a lease that expires unless its owner
 * renews it. Every step is a single-document update, atomic on MongoDB.
 */
export async function acquireLease(
  job: Collection<JobDoc>,
  owner: string,
  ttlMs: number,
  now: Date
): Promise<boolean> {
  await job.updateOne(
    { name: JOB_NAME },
    { $setOnInsert: { name: JOB_NAME, state: 'idle' } },
    { upsert: true }
  );
  const result = await job.updateOne(
    { name: JOB_NAME, $or: [{ lease: null }, { 'lease.until': { $lt: now } }, { 'lease.owner': owner }] },
    { $set: { lease: { owner, until: new Date(now.getTime() + ttlMs), acquiredAt: now } } }
  );
  return result.matchedCount === 1;
}

/** Extends the lease; false means another process took it (ours expired). */
export async function renewLease(
  job: Collection<JobDoc>,
  owner: string,
  ttlMs: number,
  now: Date
): Promise<boolean> {
  const result = await job.updateOne(
    { name: JOB_NAME, 'lease.owner': owner },
    { $set: { 'lease.until': new Date(now.getTime() + ttlMs) } }
  );
  return result.matchedCount === 1;
}

export async function releaseLease(job: Collection<JobDoc>, owner: string): Promise<void> {
  await job.updateOne({ name: JOB_NAME, 'lease.owner': owner }, { $set: { lease: null } });
}
