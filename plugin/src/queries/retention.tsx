import React from 'react';
import type { SelectableValue } from '@grafana/data';
import { InlineField, Input, Select } from '@grafana/ui';
import { retentionHeatmapFrame, retentionPeriodFrame, retentionToFrame } from '../app/frames';
import { MAX_AUTO_COHORTS, resolveCohort } from '../app/query-mapping';
import { templatedChoice, templatedInteger } from '../app/templating';
import {
  type RetentionAnswer,
  type RetentionFormat,
  type RetentionMode,
  type UsageQuery,
  RETENTION_MODES,
} from '../types';
import { choicesWith } from './choices';
import {
  type Params,
  type QueryContext,
  type QueryKind,
  type SectionProps,
  commonParams,
  peopleParams,
  ALL_FILTERS,
  weekStartOf,
} from './kind';
import { WeekStartField } from './week-start';

const RETENTION_FORMATS: Array<SelectableValue<RetentionFormat>> = [
  { label: 'table', value: 'table', description: 'cohort, size and one column per period: the triangle' },
  {
    label: 'heatmap',
    value: 'heatmap',
    description: "one row per period, cohorts at their own time (Grafana's heatmap)",
  },
  {
    label: 'period N over cohorts',
    value: 'period',
    description: 'one series: the share of each cohort retained at period N (time series)',
  },
];

const MODE_OPTIONS: Array<SelectableValue<string>> = [
  { label: 'on', value: 'on', description: 'active in period k' },
  { label: 'on or after', value: 'on_or_after', description: 'active in period k or any later one (unbounded)' },
];

const COHORT_OPTIONS: Array<SelectableValue<string>> = [
  {
    label: 'auto',
    value: 'auto',
    description: `day, week or month: at most ${MAX_AUTO_COHORTS} cohorts over the range`,
  },
  { label: 'day', value: 'day' },
  { label: 'week', value: 'week' },
  { label: 'month', value: 'month' },
];

/** The period of a "period N over cohorts" view: a number or a variable. */
function PeriodField({ query, change, onRunQuery }: Pick<SectionProps, 'query' | 'change' | 'onRunQuery'>) {
  return (
    <InlineField label="Period" labelWidth={8} tooltip="N: 1 is the period after the cohort's; a $variable allowed">
      <Input
        id="query-editor-period"
        value={query.period ?? 1}
        width={6}
        onChange={(e) => change({ period: numberOrText(e.currentTarget.value) })}
        onBlur={onRunQuery}
      />
    </InlineField>
  );
}

/** Periods followed per cohort: a number within the daemon's limits, or a variable. */
function PeriodsField({
  query,
  change,
  onRunQuery,
  limits,
}: Pick<SectionProps, 'query' | 'change' | 'onRunQuery' | 'limits'>) {
  const periods = limits?.periods;
  const range = periods
    ? `${periods.min} to ${periods.max}; default ${periods.default}`
    : 'the daemon states its limits';
  return (
    <InlineField
      label="Periods"
      labelWidth={9}
      tooltip={`how many periods to follow each cohort (${range}); a $variable allowed`}
    >
      <Input
        id="query-editor-periods"
        value={query.periods ?? ''}
        placeholder={String(periods?.default ?? '')}
        width={8}
        onChange={(e) => {
          const value = numberOrText(e.currentTarget.value);
          // A number past the daemon's limits is not taken; a variable is checked when the query runs.
          if (typeof value !== 'number' || (value >= (periods?.min ?? 1) && value <= (periods?.max ?? Infinity))) {
            change({ periods: value });
          }
        }}
        onBlur={onRunQuery}
      />
    </InlineField>
  );
}

/** Cohort period, periods followed (within the daemon's limits), returns, week start and the frame's format. */
function RetentionEditor({ query, update, change, onRunQuery, limits, variables }: SectionProps) {
  const cohort = choicesWith(COHORT_OPTIONS, variables, query.cohort ?? 'auto');
  const mode = choicesWith(MODE_OPTIONS, variables, query.retentionMode ?? 'on');
  return (
    <>
      <InlineField
        label="Cohort"
        labelWidth={8}
        tooltip="cohorts by the period of their first login; $variables allowed"
      >
        <Select
          inputId="query-editor-cohort"
          options={cohort.options}
          value={cohort.value}
          allowCustomValue
          width={12}
          onChange={(v) => update({ cohort: v.value ?? 'auto' })}
        />
      </InlineField>
      <PeriodsField query={query} change={change} onRunQuery={onRunQuery} limits={limits} />
      <InlineField label="Returns" labelWidth={9} tooltip="on: in period k; on or after: in period k or later">
        <Select
          inputId="query-editor-retention-mode"
          options={mode.options}
          value={mode.value}
          allowCustomValue
          width={14}
          onChange={(v) => update({ retentionMode: v.value ?? 'on' })}
        />
      </InlineField>
      <WeekStartField query={query} update={update} variables={variables} />
      <InlineField label="Format" labelWidth={8} tooltip="table, heatmap, or one period as a trend over cohorts">
        <Select
          inputId="query-editor-retention-format"
          options={RETENTION_FORMATS}
          value={query.retentionFormat ?? 'table'}
          width={16}
          onChange={(v) => update({ retentionFormat: v.value ?? 'table' })}
        />
      </InlineField>
      {query.retentionFormat === 'period' && <PeriodField query={query} change={change} onRunQuery={onRunQuery} />}
    </>
  );
}

/** A typed field: a number as a number, anything else (a $variable, or something to be refused) as text. */
function numberOrText(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') {
    return undefined;
  }
  return /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** Periods followed per cohort, after interpolation and within the daemon's limits (undefined: its default). */
function periodsOf(query: UsageQuery, ctx: QueryContext): number | undefined {
  const { min, max } = ctx.limits.periods;
  return templatedInteger('periods', query.periods, { replace: ctx.replace, min, max });
}

/** The period a "period N over cohorts" query shows (1 unless set). */
function periodOf(query: UsageQuery, ctx: QueryContext): number {
  return (
    templatedInteger('period', query.period, { replace: ctx.replace, min: 0, max: ctx.limits.periods.max - 1 }) ?? 1
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
  filters: ALL_FILTERS,
  params(query, ctx) {
    const { start, end, tz, ...source } = commonParams(ctx);
    const cohort = resolveCohort(ctx.replace(query.cohort ?? 'auto'), ctx.range, query.cohort);
    // Without periods the daemon's default applies: it is defined there, once. The period-N view needs
    // periods up to N.
    const asked = periodsOf(query, ctx);
    const periods = query.retentionFormat === 'period' ? Math.max(asked ?? 0, periodOf(query, ctx) + 1) : asked;
    const mode = templatedChoice<RetentionMode>('retentionMode', query.retentionMode, {
      replace: ctx.replace,
      accepted: RETENTION_MODES,
      fallback: 'on',
    });
    const weekStart = weekStartOf(query, ctx);
    return {
      ...source,
      start,
      end,
      cohort,
      tz,
      ...(periods === undefined ? {} : { periods: String(periods) }),
      ...(mode === 'on' ? {} : { mode }),
      ...(weekStart ? { weekStart } : {}),
      ...peopleParams(ctx),
    } as Params;
  },
  frame(answer, query, ctx) {
    if (query.retentionFormat === 'period') {
      return retentionPeriodFrame(answer, { refId: query.refId, period: periodOf(query, ctx), alias: ctx.alias });
    }
    const toFrame = query.retentionFormat === 'heatmap' ? retentionHeatmapFrame : retentionToFrame;
    return toFrame(answer, { refId: query.refId, periods: answer.periods });
  },
  displayText(query) {
    const returns = query.retentionMode === 'on_or_after' ? ', returning on or after' : '';
    if (query.retentionFormat === 'period') {
      return `retention at period ${query.period ?? 1} by ${query.cohort ?? 'auto'} cohort${returns}`;
    }
    return `retention by ${query.cohort ?? 'auto'} over ${query.periods ?? 'the default number of'} periods${returns}`;
  },
  Editor: RetentionEditor,
};
