import { type DataFrame, FieldType, createDataFrame } from '@grafana/data';

/** A finished job attempt as /api/v1/job/runs lists it. */
export interface JobRun {
  id: string;
  result: 'success' | 'failed' | 'aborted';
  start?: string;
  end?: string;
  startedAt: string;
  finishedAt: string;
  error?: string;
  stats?: { days: number; logins: number };
}

/**
 * Job runs as a frame with the fields Grafana's standard annotation support maps by default (time, timeEnd,
 * title, text, tags): no processEvents of our own, so the annotation editor's field mappings apply.
 */
export function runsToFrame(refId: string, runs: JobRun[]): DataFrame {
  const text = runs.map((run) => {
    const range = run.start && run.end ? ` [${run.start.slice(0, 10)} - ${run.end.slice(0, 10)}]` : '';
    const seconds = ((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1);
    const detail = run.error
      ? `: ${run.error}`
      : run.stats
        ? `: ${run.stats.days} days, ${run.stats.logins} logins`
        : '';
    return `run ${run.id}${range} in ${seconds} s${detail}`;
  });
  return createDataFrame({
    refId,
    name: 'job runs',
    fields: [
      { name: 'time', type: FieldType.time, values: runs.map((r) => Date.parse(r.startedAt)) },
      { name: 'timeEnd', type: FieldType.time, values: runs.map((r) => Date.parse(r.finishedAt)) },
      { name: 'title', type: FieldType.string, values: runs.map((r) => `job run ${r.result}`) },
      { name: 'text', type: FieldType.string, values: text },
      { name: 'tags', type: FieldType.other, values: runs.map((r) => ['core4-usage', r.result]) },
    ],
  });
}
