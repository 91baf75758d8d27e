import { type JobRun, runsToFrame } from '../app/annotations';
import type { QueryKind } from './kind';

/** The job's finished runs, for annotations: /api/v1/job/runs. */
export const runsKind: QueryKind<{ runs: JobRun[] }> = {
  type: 'runs',
  path: '/api/v1/job/runs',
  filters: [],
  params(_query, ctx) {
    return { start: String(ctx.range.from), end: String(ctx.range.to) };
  },
  frame(answer, query) {
    return runsToFrame(query.refId, answer.runs);
  },
  displayText() {
    return 'job runs';
  },
};
