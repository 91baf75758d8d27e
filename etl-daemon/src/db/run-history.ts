import type { Collection } from 'mongodb';
import type { RunDoc } from './collections';
import { timeLimit } from './deployment';

export async function recordRun(runs: Collection<RunDoc>, run: RunDoc): Promise<void> {
  await runs.insertOne({ ...run });
}

/** Attempts that finished in [from, to], newest last. */
export async function listRuns(
  runs: Collection<RunDoc>,
  from: Date,
  to: Date,
  limit: number
): Promise<RunDoc[]> {
  return runs
    .find(
      { finishedAt: { $gte: from, $lte: to } },
      { projection: { _id: 0 }, sort: { finishedAt: 1 }, limit, ...timeLimit(runs) }
    )
    .toArray();
}
