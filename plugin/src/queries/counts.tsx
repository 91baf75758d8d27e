import React from 'react';
import type { DataFrame, SelectableValue } from '@grafana/data';
import { InlineField, InlineLabel, InlineSwitch, Select } from '@grafana/ui';
import { answerToFrame } from '../app/frames';
import { MAX_AUTO_BUCKETS, effectiveInterval, resolveAggregate } from '../app/query-mapping';
import { templatedChoices } from '../app/templating';
import {
  type LoginsAnswer,
  type Metric,
  type UsageQuery,
  AGGREGATES,
  METRICS,
  METRIC_HELP,
  METRIC_LABELS,
  RENAMED_METRICS,
} from '../types';
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
import { choicesWith } from './choices';
import { BreakdownField, breakdownParams, seriesAnswers } from './breakdown';
import { WeekStartField } from './week-start';

const METRIC_OPTIONS: Array<SelectableValue<string>> = METRICS.map((m) => ({
  label: METRIC_LABELS[m],
  value: m,
  description: METRIC_HELP[m],
}));

const AGGREGATE_OPTIONS: Array<SelectableValue<string>> = [
  {
    label: 'auto',
    value: 'auto',
    description: `the finest unit with at most ${MAX_AUTO_BUCKETS} buckets over the range, never finer than the panel interval`,
  },
  ...AGGREGATES.map((a) => ({ label: a, value: a })),
];

/** The metrics a query asks for: its metric, or each value of a (multi-value) variable. */
function metricsOf(query: UsageQuery, ctx: Pick<QueryContext, 'replace'>): Metric[] {
  return templatedChoices('metric', query.metric, {
    replace: ctx.replace,
    accepted: METRICS,
    fallback: 'users',
    renamed: RENAMED_METRICS,
  });
}

/** A metric, or a variable. */
function MetricField({ query, update, variables }: Pick<SectionProps, 'query' | 'update' | 'variables'>) {
  const metric = choicesWith(METRIC_OPTIONS, variables, query.metric);
  return (
    <InlineField label="Metric" labelWidth={10} tooltip="a metric, or a variable ($metric: one panel series per value)">
      <Select
        inputId="query-editor-metric"
        options={metric.options}
        value={metric.value}
        allowCustomValue
        width={18}
        onChange={(v) => update({ metric: v.value ?? 'users' })}
      />
    </InlineField>
  );
}

/** Metric, aggregate (with what `auto` resolved to), week start and the incomplete-bucket toggle. */
function CountsEditor(props: SectionProps) {
  const { query, update, resolvedAggregate, variables } = props;
  const showResolved = resolvedAggregate !== undefined && query.aggregate !== resolvedAggregate;
  const aggregate = choicesWith(AGGREGATE_OPTIONS, variables, query.aggregate);
  return (
    <>
      <MetricField query={query} update={update} variables={variables} />
      <InlineField
        label="Per"
        labelWidth={6}
        tooltip={`auto: the finest calendar unit giving at most ${MAX_AUTO_BUCKETS} buckets over the range, never finer than Grafana's interval; $variables are allowed`}
      >
        <Select
          inputId="query-editor-aggregate"
          options={aggregate.options}
          value={aggregate.value}
          allowCustomValue
          width={14}
          onChange={(v) => update({ aggregate: v.value ?? 'auto' })}
        />
      </InlineField>
      {showResolved && (
        <InlineLabel
          width="auto"
          tooltip="the calendar unit of the last answer for this range"
          data-testid="resolved-aggregate"
        >
          {`→ ${resolvedAggregate}`}
        </InlineLabel>
      )}
      <WeekStartField query={query} update={update} variables={variables} />
      <BreakdownField {...props} />
      <InlineField label="Hide incomplete" labelWidth={16} tooltip="drop the last bucket while it is still running">
        <InlineSwitch
          id="query-editor-hide-incomplete"
          value={Boolean(query.hideIncomplete)}
          onChange={(e) => update({ hideIncomplete: e.currentTarget.checked })}
        />
      </InlineField>
    </>
  );
}

/** A metric per calendar bucket (one series per metric of a multi-value `$metric`): /api/v1/logins. */
export const countsKind: QueryKind<LoginsAnswer> = {
  type: 'counts',
  option: { label: 'counts', value: 'counts', description: 'a metric per calendar bucket' },
  path: '/api/v1/logins',
  filters: ALL_FILTERS,
  params(query, ctx) {
    const { request, range } = ctx;
    const interval = effectiveInterval(request.intervalMs, range.from, range.to, request.maxDataPoints);
    const weekStart = weekStartOf(query, ctx);
    const aggregate = resolveAggregate(ctx.replace(query.aggregate ?? 'auto'), range, interval, {
      tz: ctx.tz,
      weekStart,
      raw: query.aggregate,
    });
    const { start, end, tz, ...source } = commonParams(ctx);
    const metric = metricsOf(query, ctx).join(',');
    return {
      ...source,
      start,
      end,
      aggregate,
      tz,
      metric,
      ...(weekStart ? { weekStart } : {}),
      ...peopleParams(ctx),
      ...breakdownParams(query, ctx),
    } as Params;
  },
  frame(answer, query, ctx): DataFrame[] {
    const metrics = metricsOf(query, ctx);
    if (answer.series) {
      // One frame per value and metric, named by the value: a line per group.
      return seriesAnswers(answer, ctx.alias).flatMap((series) =>
        metrics.map((metric) =>
          answerToFrame(series.answer, {
            refId: query.refId,
            metric,
            alias: series.name(METRIC_LABELS[metric], metrics.length > 1),
            hideIncomplete: query.hideIncomplete,
          })
        )
      );
    }
    return metrics.map((metric) =>
      answerToFrame(answer, {
        refId: query.refId,
        metric,
        // One alias for several metrics would name them alike: {{metric}} in it is each metric's label.
        alias: ctx.alias?.replace(/\{\{\s*metric\s*\}\}/g, METRIC_LABELS[metric]),
        hideIncomplete: query.hideIncomplete,
      })
    );
  },
  displayText(query) {
    const users = query.users?.length ? ` of ${query.users.join(', ')}` : '';
    const metric = METRIC_LABELS[query.metric as Metric] ?? query.metric ?? 'users';
    return `${metric} per ${query.aggregate || 'auto'}${users}`;
  },
  Editor: CountsEditor,
};
