import React, { useEffect, useState } from 'react';
import type { PanelData, QueryEditorProps, SelectableValue } from '@grafana/data';
import { InlineField, InlineLabel, InlineSwitch, Input, MultiSelect, Select, Stack } from '@grafana/ui';
import { MAX_AUTO_BUCKETS, MAX_AUTO_COHORTS } from '../app/query-mapping';
import type { DataSource } from '../datasource';
import {
  type CohortChoice,
  type Metric,
  type RetentionFormat,
  METRIC_HELP,
  type UsageOptions,
  type UsageQuery,
  type UsageQueryType,
  AGGREGATES,
  DEFAULT_QUERY,
  METRIC_LABELS,
} from '../types';

type Props = QueryEditorProps<DataSource, UsageQuery, UsageOptions>;

const METRIC_OPTIONS: Array<SelectableValue<Metric>> = (Object.keys(METRIC_LABELS) as Metric[]).map((m) => ({
  label: METRIC_LABELS[m],
  value: m,
  description: METRIC_HELP[m],
}));
const QUERY_TYPES: Array<SelectableValue<UsageQueryType>> = [
  { label: 'counts', value: 'counts', description: 'a metric per calendar bucket' },
  {
    label: 'retention',
    value: 'retention',
    description: 'cohorts by first login, and how many came back in each later period (table, heatmap)',
  },
  {
    label: 'user list',
    value: 'users',
    description: 'who used it in the range: last and first login, logins, active days (for tables)',
  },
];
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
const AGGREGATE_OPTIONS: Array<SelectableValue<string>> = [
  {
    label: 'auto',
    value: 'auto',
    description: `the finest unit with at most ${MAX_AUTO_BUCKETS} buckets over the range, never finer than the panel interval`,
  },
  ...AGGREGATES.map((a) => ({ label: a, value: a })),
];

/** The unit the daemon answered for this query (what `auto` resolved to), from the panel's last result. */
export function resolvedAggregate(data: PanelData | undefined, refId: string): string | undefined {
  const frame = data?.series.find((f) => f.refId === refId);
  const aggregate: unknown = frame?.meta?.custom?.aggregate;
  return typeof aggregate === 'string' ? aggregate : undefined;
}

/** Metric, aggregate, users, alias and the incomplete-bucket toggle; every change runs the query. */
export function QueryEditor({ query, onChange, onRunQuery, datasource, data }: Props) {
  const q = { ...DEFAULT_QUERY, ...query } as UsageQuery;
  const [userOptions, setUserOptions] = useState<Array<SelectableValue<string>>>([]);
  const update = (patch: Partial<UsageQuery>) => {
    onChange({ ...query, ...patch });
    onRunQuery();
  };

  useEffect(() => {
    let live = true;
    datasource.users().then(
      (users) => live && setUserOptions(users.map((u) => ({ label: u, value: u }))),
      () => live && setUserOptions([])
    );
    return () => {
      live = false;
    };
  }, [datasource]);

  const selectedUsers = (q.users ?? []).map((u) => ({ label: u, value: u }));
  const resolved = resolvedAggregate(data, q.refId);
  const showResolved = resolved !== undefined && q.aggregate !== resolved;
  const aggregateOption = AGGREGATE_OPTIONS.find((o) => o.value === q.aggregate) ?? {
    label: q.aggregate,
    value: q.aggregate,
  };
  const type = q.queryType ?? 'counts';

  return (
    <Stack gap={0} wrap="wrap">
      <InlineField label="Query" labelWidth={8}>
        <Select
          inputId="query-editor-type"
          options={QUERY_TYPES}
          value={q.queryType ?? 'counts'}
          width={14}
          onChange={(v) => update({ queryType: v.value ?? 'counts' })}
        />
      </InlineField>
      {type === 'retention' && (
        <>
          <InlineField
            label="Cohort"
            labelWidth={8}
            tooltip="cohorts by the period of their first login; $variables allowed"
          >
            <Select
              inputId="query-editor-cohort"
              options={COHORT_OPTIONS}
              value={q.cohort ?? 'auto'}
              allowCustomValue
              width={12}
              onChange={(v) => update({ cohort: v.value ?? 'auto' })}
            />
          </InlineField>
          <InlineField label="Periods" labelWidth={9} tooltip="how many periods to follow each cohort (1 to 400)">
            <Input
              id="query-editor-periods"
              type="number"
              min={1}
              max={400}
              value={q.periods ?? 12}
              width={8}
              onChange={(e) => {
                const periods = Number(e.currentTarget.value);
                if (Number.isInteger(periods) && periods >= 1 && periods <= 400) {
                  onChange({ ...query, periods });
                }
              }}
              onBlur={onRunQuery}
            />
          </InlineField>
          <InlineField label="Format" labelWidth={8} tooltip="table for the table panel, heatmap for the heatmap panel">
            <Select
              inputId="query-editor-retention-format"
              options={RETENTION_FORMATS}
              value={q.retentionFormat ?? 'table'}
              width={12}
              onChange={(v) => update({ retentionFormat: v.value ?? 'table' })}
            />
          </InlineField>
        </>
      )}
      {type === 'counts' && (
        <>
          <InlineField label="Metric" labelWidth={10}>
            <Select
              inputId="query-editor-metric"
              options={METRIC_OPTIONS}
              value={q.metric}
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
              {`→ ${resolved}`}
            </InlineLabel>
          )}
        </>
      )}
      {type !== 'users' && (
        <InlineField
          label="Users"
          labelWidth={8}
          tooltip="only these users; names or $variables; empty means everybody"
        >
          <MultiSelect
            inputId="query-editor-users"
            options={userOptions}
            value={selectedUsers}
            allowCustomValue
            placeholder="everybody"
            width={30}
            onChange={(values) => update({ users: values.map((v) => v.value ?? '').filter((v) => v !== '') })}
          />
        </InlineField>
      )}
      <InlineField label="Alias" labelWidth={8}>
        <Input
          id="query-editor-alias"
          value={q.alias ?? ''}
          placeholder={METRIC_LABELS[q.metric]}
          width={20}
          onChange={(e) => onChange({ ...query, alias: e.currentTarget.value })}
          onBlur={onRunQuery}
        />
      </InlineField>
      {type === 'counts' && (
        <InlineField label="Hide incomplete" labelWidth={16} tooltip="drop the last bucket while it is still running">
          <InlineSwitch
            id="query-editor-hide-incomplete"
            value={Boolean(q.hideIncomplete)}
            onChange={(e) => update({ hideIncomplete: e.currentTarget.checked })}
          />
        </InlineField>
      )}
    </Stack>
  );
}
