import { type DataFrame, FieldType, createDataFrame } from '@grafana/data';
import { type LoginsAnswer, type Metric, METRIC_LABELS } from '../types';

/**
 * One frame per query: bucket start times, the counts (named by the alias or the metric), and the
 * `partial` flag as a field of its own. With `hideIncomplete`, a last bucket that runs past the data
 * horizon (or past the range) is dropped.
 */
export function answerToFrame(
  answer: LoginsAnswer,
  options: { refId: string; metric: Metric; alias?: string; hideIncomplete?: boolean }
): DataFrame {
  let buckets = answer.buckets;
  const last = buckets[buckets.length - 1];
  if (options.hideIncomplete && last) {
    const horizon = answer.dataUntil ? Date.parse(answer.dataUntil) : -Infinity;
    if (last.partial || Date.parse(last.end) > horizon) {
      buckets = buckets.slice(0, -1);
    }
  }
  const name = options.alias || METRIC_LABELS[options.metric];
  return createDataFrame({
    refId: options.refId,
    name,
    meta: { custom: { aggregate: answer.aggregate, tz: answer.tz, dataUntil: answer.dataUntil } },
    fields: [
      { name: 'Time', type: FieldType.time, values: buckets.map((b) => Date.parse(b.start)) },
      {
        name: options.metric,
        type: FieldType.number,
        values: buckets.map((b) => b[options.metric] ?? 0),
        config: { displayName: name, unit: 'short', decimals: 0 },
      },
      {
        name: 'partial',
        type: FieldType.boolean,
        values: buckets.map((b) => b.partial),
        config: { custom: { hideFrom: { viz: true, legend: true, tooltip: false } } },
      },
    ],
  });
}
