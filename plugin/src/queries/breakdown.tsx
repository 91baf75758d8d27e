import React from 'react';
import type { SelectableValue } from '@grafana/data';
import { InlineField, Input, Select } from '@grafana/ui';
import { templatedChoice } from '../app/templating';
import { type Breakdown, type LoginsAnswer, BREAKDOWNS } from '../types';
import { choicesWith } from './choices';
import type { Params, QueryContext, SectionProps } from './kind';

/** The daemon's default number of series (REQUEST_LIMITS.series in the daemon). */
const DEFAULT_SERIES = 10;

const BREAKDOWN_OPTIONS: Array<SelectableValue<string>> = [
  { label: 'none', value: '', description: 'the whole, one series' },
  { label: 'handler', value: 'handler', description: 'one series per app (core4 handler): who used it' },
  { label: 'project', value: 'project', description: "one series per core4 project (its handlers' requests)" },
  { label: 'host', value: 'host', description: 'one series per serving host' },
  { label: 'core4 group', value: 'role', description: "one series per group of sys.role (its members' activity)" },
];

/** `breakdown` and `limit` of a counts query that breaks down (after interpolation), else nothing. */
export function breakdownParams(
  query: { breakdown?: string; breakdownLimit?: number },
  ctx: Pick<QueryContext, 'replace'>
): Params {
  const raw = query.breakdown ? ctx.replace(query.breakdown) : '';
  if (raw === '') {
    return {};
  }
  const breakdown = templatedChoice<Breakdown>('breakdown', query.breakdown, {
    replace: ctx.replace,
    accepted: BREAKDOWNS,
    fallback: 'role',
  });
  return { breakdown, limit: String(query.breakdownLimit ?? DEFAULT_SERIES) };
}

/**
 * The answer as one answer per series, named by its key (with several metrics, key and metric): a time
 * series panel draws one line per value. An alias may say `{{key}}` (and `{{metric}}`).
 */
export function seriesAnswers(
  answer: LoginsAnswer,
  alias: string | undefined
): Array<{ answer: LoginsAnswer; name: (metricLabel: string, several: boolean) => string }> {
  return (answer.series ?? []).map((series) => ({
    answer: { ...answer, buckets: series.buckets, series: undefined },
    name: (metricLabel, several) =>
      alias
        ? alias.replace(/\{\{\s*key\s*\}\}/g, series.key).replace(/\{\{\s*metric\s*\}\}/g, metricLabel)
        : several
          ? `${series.key} ${metricLabel}`
          : series.key,
  }));
}

/** Breakdown (none, or a dimension or variable) and, with one, how many series. */
export function BreakdownField({ query, update, change, onRunQuery, variables }: SectionProps) {
  const choice = choicesWith(BREAKDOWN_OPTIONS, variables, query.breakdown ?? '');
  return (
    <>
      <InlineField
        label="Breakdown"
        labelWidth={11}
        tooltip="one series per value, the largest first; the rest as other"
      >
        <Select
          inputId="query-editor-breakdown"
          options={choice.options}
          value={choice.value}
          allowCustomValue
          width={16}
          onChange={(v) => update({ breakdown: v.value || undefined })}
        />
      </InlineField>
      {query.breakdown && (
        <InlineField label="Top" labelWidth={5} tooltip="series kept (1 to 50); the others are merged into other">
          <Input
            id="query-editor-breakdown-limit"
            type="number"
            min={1}
            max={50}
            value={query.breakdownLimit ?? DEFAULT_SERIES}
            width={8}
            onChange={(e) => change({ breakdownLimit: Number(e.currentTarget.value) || undefined })}
            onBlur={onRunQuery}
          />
        </InlineField>
      )}
    </>
  );
}
