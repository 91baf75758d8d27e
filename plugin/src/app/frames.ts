import { type DataFrame, DataFrameType, FieldType, createDataFrame } from '@grafana/data';
import { type LoginsAnswer, type Metric, type RetentionAnswer, type UserRow, METRIC_LABELS } from '../types';

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
        // The series' name as the data source gives it: the panel's Display name still wins. Unit, decimals,
        // min and max are the panel's (Grafana fills only what a field leaves undefined).
        config: { displayNameFromDS: name },
      },
      {
        name: 'partial',
        type: FieldType.boolean,
        values: buckets.map((b) => b.partial),
        // A flag for tables and for `hideIncomplete`; never a series in a chart, a legend or a tooltip.
        config: { custom: { hideFrom: { viz: true, legend: true, tooltip: true } } },
      },
    ],
  });
}

/**
 * A retention matrix as one wide frame: the cohort's period start (time), its size, and one field per
 * later period (`week 0`, `week 1`, …; empty where the period has not started). A table draws the triangle;
 * the heatmap panel draws it from rows (time + one numeric field per bucket).
 */
export function retentionToFrame(answer: RetentionAnswer, options: { refId: string; periods: number }): DataFrame {
  const width = Math.min(options.periods, Math.max(0, ...answer.cohorts.map((c) => c.retained.length)));
  return createDataFrame({
    refId: options.refId,
    name: `retention by ${answer.cohort}`,
    meta: { custom: { cohort: answer.cohort, tz: answer.tz, dataUntil: answer.dataUntil } },
    fields: [
      { name: 'cohort', type: FieldType.time, values: answer.cohorts.map((c) => Date.parse(c.start)) },
      {
        name: 'size',
        type: FieldType.number,
        values: answer.cohorts.map((c) => c.size),
        config: { displayNameFromDS: 'users' },
      },
      ...Array.from({ length: width }, (_, k) => ({
        name: `${answer.cohort} ${k}`,
        type: FieldType.number,
        values: answer.cohorts.map((c) => c.retained[k] ?? null),
      })),
    ],
  });
}

/**
 * A retention matrix as Grafana's heatmap draws it: a `heatmap-rows` frame (its panel then draws the fields
 * as rows without being told), the time field first and every numeric field after it a row. Grafana takes
 * that time as each cell's end (`rowsToCellsHeatmap` names it `xMax`), so the time is the cohort's end: a
 * cohort is drawn over its own period, not one period early. The cohort's size is not a field here (it would
 * be a row); the table format has it.
 */
export function retentionHeatmapFrame(answer: RetentionAnswer, options: { refId: string; periods: number }): DataFrame {
  const width = Math.min(options.periods, Math.max(0, ...answer.cohorts.map((c) => c.retained.length)));
  return createDataFrame({
    refId: options.refId,
    name: `retention by ${answer.cohort}`,
    meta: {
      type: DataFrameType.HeatmapRows,
      custom: { cohort: answer.cohort, tz: answer.tz, dataUntil: answer.dataUntil },
    },
    fields: [
      { name: 'cohort end', type: FieldType.time, values: answer.cohorts.map((c) => Date.parse(c.end)) },
      ...Array.from({ length: width }, (_, k) => ({
        name: `${answer.cohort} ${k}`,
        type: FieldType.number,
        values: answer.cohorts.map((c) => c.retained[k] ?? null),
      })),
    ],
  });
}

/** Who used it: one row per user with first and last login in the range, logins and active days. */
export function userRowsToFrame(rows: UserRow[], options: { refId: string; name: string }): DataFrame {
  return createDataFrame({
    refId: options.refId,
    name: options.name,
    fields: [
      { name: 'user', type: FieldType.string, values: rows.map((r) => r.name) },
      { name: 'last seen', type: FieldType.time, values: rows.map((r) => Date.parse(r.lastSeen)) },
      { name: 'first seen', type: FieldType.time, values: rows.map((r) => Date.parse(r.firstSeen)) },
      { name: 'logins', type: FieldType.number, values: rows.map((r) => r.logins) },
      { name: 'active days', type: FieldType.number, values: rows.map((r) => r.activeDays) },
    ],
  });
}
