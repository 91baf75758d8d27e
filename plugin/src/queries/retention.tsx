import React from 'react';
import type { SelectableValue } from '@grafana/data';
import { InlineField, Input, Select } from '@grafana/ui';
import { retentionHeatmapFrame, retentionToFrame } from '../app/frames';
import { MAX_AUTO_COHORTS, resolveCohort } from '../app/query-mapping';
import type { CohortChoice, RetentionAnswer, RetentionFormat } from '../types';
import { type Params, type QueryKind, type SectionProps, commonParams } from './kind';

const RETENTION_FORMATS: Array<SelectableValue<RetentionFormat>> = [
  { label: 'table', value: 'table', description: 'cohort, size and one column per period: the triangle' },
  {
    label: 'heatmap',
    value: 'heatmap',
    description: "one row per period, cohorts at their own time (Grafana's heatmap)",
  },
];

const COHORT_OPTIONS: Array<SelectableValue<CohortChoice>> = [
  {
    label: 'auto',
    value: 'auto',
    description: `day, week or month: at most ${MAX_AUTO_COHORTS} cohorts over the range`,
  },
  { label: 'day', value: 'day' },
  { label: 'week', value: 'week' },
  { label: 'month', value: 'month' },
];

/** Cohort period, periods followed (within the daemon's limits) and the frame's format. */
function RetentionEditor({ query, update, change, onRunQuery, limits }: SectionProps) {
  const periods = limits?.periods;
  const range = periods
    ? `${periods.min} to ${periods.max}; default ${periods.default}`
    : 'the daemon states its limits';
  return (
    <>
      <InlineField
        label="Cohort"
        labelWidth={8}
        tooltip="cohorts by the period of their first login; $variables allowed"
      >
        <Select
          inputId="query-editor-cohort"
          options={COHORT_OPTIONS}
          value={query.cohort ?? 'auto'}
          allowCustomValue
          width={12}
          onChange={(v) => update({ cohort: v.value ?? 'auto' })}
        />
      </InlineField>
      <InlineField label="Periods" labelWidth={9} tooltip={`how many periods to follow each cohort (${range})`}>
        <Input
          id="query-editor-periods"
          type="number"
          min={periods?.min ?? 1}
          max={periods?.max}
          value={query.periods ?? periods?.default ?? ''}
          width={8}
          onChange={(e) => {
            const value = Number(e.currentTarget.value);
            if (Number.isInteger(value) && value >= (periods?.min ?? 1) && value <= (periods?.max ?? Infinity)) {
              change({ periods: value });
            }
          }}
          onBlur={onRunQuery}
        />
      </InlineField>
      <InlineField label="Format" labelWidth={8} tooltip="table for the table panel, heatmap for the heatmap panel">
        <Select
          inputId="query-editor-retention-format"
          options={RETENTION_FORMATS}
          value={query.retentionFormat ?? 'table'}
          width={12}
          onChange={(v) => update({ retentionFormat: v.value ?? 'table' })}
        />
      </InlineField>
    </>
  );
}

/** Cohorts by first login and how many came back in each later period: /api/v1/retention. */
export const retentionKind: QueryKind<RetentionAnswer> = {
  type: 'retention',
  option: {
    label: 'retention',
    value: 'retention',
    description: 'cohorts by first login, and how many came back in each later period (table, heatmap)',
  },
  path: '/api/v1/retention',
  filtersUsers: true,
  params(query, ctx) {
    const { start, end, tz, user } = commonParams(ctx);
    const cohort = resolveCohort(ctx.replace(query.cohort ?? 'auto'), ctx.range);
    // Without periods the daemon's default applies: it is defined there, once.
    const periods = query.periods === undefined ? {} : { periods: String(query.periods) };
    return { start, end, cohort, tz, ...periods, ...(user ? { user } : {}) } as Params;
  },
  frame(answer, query) {
    const toFrame = query.retentionFormat === 'heatmap' ? retentionHeatmapFrame : retentionToFrame;
    return toFrame(answer, { refId: query.refId, periods: answer.periods });
  },
  displayText(query) {
    return `retention by ${query.cohort ?? 'auto'} over ${query.periods ?? 'the default number of'} periods`;
  },
  Editor: RetentionEditor,
};
