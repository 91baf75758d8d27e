import { type DataFrame, DataFrameType, FieldType, createDataFrame } from '@grafana/data';
import {
  type LoginsAnswer,
  type Metric,
  type RetentionAnswer,
  type StickinessAnswer,
  type UserRow,
  METRIC_LABELS,
} from '../types';

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

/**
 * One period's retention as a trend over cohorts: per cohort (at its own start) the share of its users
 * active at period `period` (0 to 1; the panel chooses the unit). Empty where that period has not started
 * for the cohort or the cohort has nobody: a gap, not a 0.
 */
export function retentionPeriodFrame(
  answer: RetentionAnswer,
  options: { refId: string; period: number; alias?: string }
): DataFrame {
  const name = options.alias || `retained in ${answer.cohort} ${options.period}`;
  return createDataFrame({
    refId: options.refId,
    name,
    meta: { custom: { cohort: answer.cohort, tz: answer.tz, dataUntil: answer.dataUntil, mode: answer.mode } },
    fields: [
      { name: 'cohort', type: FieldType.time, values: answer.cohorts.map((c) => Date.parse(c.start)) },
      {
        name: `${answer.cohort} ${options.period}`,
        type: FieldType.number,
        values: answer.cohorts.map((c) => {
          const retained = c.retained[options.period];
          return retained === undefined || c.size === 0 ? null : retained / c.size;
        }),
        config: { displayNameFromDS: name },
      },
    ],
  });
}

/**
 * Stickiness as a bar chart: one row per n = 1 … N (a string field, the bar chart's x axis: "1 day", "2
 * days", …) and the users active on exactly n (or n or more) intervals. counts[0] (seen, not active in the
 * range) is not a bar: PostHog draws 1 … N; it stays in the frame's meta.
 */
export function stickinessToFrame(answer: StickinessAnswer, options: { refId: string; alias?: string }): DataFrame {
  const unit = answer.interval;
  const label = (n: number) => `${answer.cumulative ? '≥ ' : ''}${n} ${unit}${n === 1 ? '' : 's'}`;
  const rows = answer.counts.slice(1);
  const name =
    options.alias || (answer.cumulative ? `users active on n or more ${unit}s` : `users active on n ${unit}s`);
  return createDataFrame({
    refId: options.refId,
    name,
    meta: { custom: { interval: unit, tz: answer.tz, intervals: answer.intervals, inactive: answer.counts[0] ?? 0 } },
    fields: [
      { name: `${unit}s active`, type: FieldType.string, values: rows.map((_, i) => label(i + 1)) },
      { name: 'users', type: FieldType.number, values: rows, config: { displayNameFromDS: name } },
    ],
  });
}

/** Who used it: one row per user with first and last login in the range, logins and active days. */
export function userRowsToFrame(rows: UserRow[], options: { refId: string; name: string }): DataFrame {
  // The daemon adds real names from core4's sys.role when it reads it.
  const realnames = rows.some((r) => r.realname !== undefined)
    ? [{ name: 'real name', type: FieldType.string, values: rows.map((r) => r.realname ?? null) }]
    : [];
  return createDataFrame({
    refId: options.refId,
    name: options.name,
    fields: [
      { name: 'user', type: FieldType.string, values: rows.map((r) => r.name) },
      ...realnames,
      { name: 'last seen', type: FieldType.time, values: rows.map((r) => Date.parse(r.lastSeen)) },
      { name: 'first seen', type: FieldType.time, values: rows.map((r) => Date.parse(r.firstSeen)) },
      { name: 'logins', type: FieldType.number, values: rows.map((r) => r.logins) },
      { name: 'active days', type: FieldType.number, values: rows.map((r) => r.activeDays) },
    ],
  });
}
