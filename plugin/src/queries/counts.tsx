import React from 'react';
import type { SelectableValue } from '@grafana/data';
import { InlineField, InlineLabel, InlineSwitch, Select } from '@grafana/ui';
import { answerToFrame } from '../app/frames';
import { MAX_AUTO_BUCKETS, effectiveInterval, resolveAggregate } from '../app/query-mapping';
import { type LoginsAnswer, type Metric, AGGREGATES, METRIC_HELP, METRIC_LABELS } from '../types';
import { type Params, type QueryKind, type SectionProps, commonParams } from './kind';

const METRIC_OPTIONS: Array<SelectableValue<Metric>> = (Object.keys(METRIC_LABELS) as Metric[]).map((m) => ({
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

/** Metric, aggregate (with what `auto` resolved to) and the incomplete-bucket toggle. */
function CountsEditor({ query, update, resolvedAggregate }: SectionProps) {
  const showResolved = resolvedAggregate !== undefined && query.aggregate !== resolvedAggregate;
  const aggregateOption = AGGREGATE_OPTIONS.find((o) => o.value === query.aggregate) ?? {
    label: query.aggregate,
    value: query.aggregate,
  };
  return (
    <>
      <InlineField label="Metric" labelWidth={10}>
        <Select
          inputId="query-editor-metric"
          options={METRIC_OPTIONS}
          value={query.metric}
          width={18}
          onChange={(v) => update({ metric: v.value ?? 'users' })}
        />
      </InlineField>
      <InlineField
        label="Per"
        labelWidth={6}
        tooltip={`auto: the finest calendar unit giving at most ${MAX_AUTO_BUCKETS} buckets over the range, never finer than Grafana's interval; $variables are allowed`}
      >
        <Select
          inputId="query-editor-aggregate"
          options={AGGREGATE_OPTIONS}
          value={aggregateOption}
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

/** A metric per calendar bucket: /api/v1/logins. */
export const countsKind: QueryKind<LoginsAnswer> = {
  type: 'counts',
  option: { label: 'counts', value: 'counts', description: 'a metric per calendar bucket' },
  path: '/api/v1/logins',
  filtersUsers: true,
  params(query, ctx) {
    const { request, range } = ctx;
    const interval = effectiveInterval(request.intervalMs, range.from, range.to, request.maxDataPoints);
    const aggregate = resolveAggregate(ctx.replace(query.aggregate ?? 'auto'), range, interval, ctx.tz);
    const { start, end, tz, user } = commonParams(ctx);
    return { start, end, aggregate, tz, metric: query.metric ?? 'users', ...(user ? { user } : {}) } as Params;
  },
  frame(answer, query, ctx) {
    return answerToFrame(answer, {
      refId: query.refId,
      metric: query.metric,
      alias: ctx.alias,
      hideIncomplete: query.hideIncomplete,
    });
  },
  displayText(query) {
    const users = query.users?.length ? ` of ${query.users.join(', ')}` : '';
    return `${METRIC_LABELS[query.metric ?? 'users']} per ${query.aggregate || 'auto'}${users}`;
  },
  Editor: CountsEditor,
};
