import React from 'react';
import { FieldType, createDataFrame, type SelectableValue } from '@grafana/data';
import { InlineField, Select } from '@grafana/ui';
import { templatedChoice } from '../app/templating';
import { type DimensionsAnswer, type RequestDimension, type UsageQuery, REQUEST_DIMENSIONS } from '../types';
import { choicesWith } from './choices';
import { ALL_FILTERS, type QueryContext, type QueryKind, type SectionProps, commonParams, peopleParams } from './kind';

const DIMENSION_OPTIONS: Array<SelectableValue<string>> = [
  {
    label: 'handlers',
    value: 'handler',
    description: "core4's request handlers (apps), titled as sys.handler has them",
  },
  { label: 'projects', value: 'project', description: "core4 projects (a handler's first module name)" },
  { label: 'hosts', value: 'host', description: 'the hosts that served the requests' },
];

/** The dimension a query lists, after interpolation (a 400-free choice: only the daemon's dimensions). */
function dimensionOf(query: Pick<UsageQuery, 'dimension'>, ctx: Pick<QueryContext, 'replace'>): RequestDimension {
  return templatedChoice<RequestDimension>('dimension', query.dimension ?? 'handler', {
    replace: ctx.replace,
    accepted: REQUEST_DIMENSIONS,
    fallback: 'handler',
  });
}

/** One row per value: the value, its core4 title (handlers), distinct users and requests in the range. */
export function dimensionsToFrame(answer: DimensionsAnswer, options: { refId: string; name: string }) {
  const titles = answer.values.some((v) => v.title !== undefined)
    ? [{ name: 'title', type: FieldType.string, values: answer.values.map((v) => v.title ?? null) }]
    : [];
  return createDataFrame({
    refId: options.refId,
    name: options.name,
    fields: [
      { name: answer.dimension, type: FieldType.string, values: answer.values.map((v) => v.key) },
      ...titles,
      { name: 'users', type: FieldType.number, values: answer.values.map((v) => v.users) },
      { name: 'requests', type: FieldType.number, values: answer.values.map((v) => v.logins ?? null) },
    ],
  });
}

function DimensionField({ query, update, variables }: SectionProps) {
  const choice = choicesWith(DIMENSION_OPTIONS, variables, query.dimension ?? 'handler');
  return (
    <InlineField label="List" labelWidth={8} tooltip="what is listed, the most used first">
      <Select
        inputId="query-editor-dimension"
        options={choice.options}
        value={choice.value}
        allowCustomValue
        width={16}
        onChange={(v) => update({ dimension: v.value || undefined })}
      />
    </InlineField>
  );
}

/** The apps used in the range: /api/v1/dimensions/<handler|project|host>, one row per value (for tables). */
export const appsKind: QueryKind<DimensionsAnswer> = {
  type: 'apps',
  option: {
    label: 'apps',
    value: 'apps',
    description: 'handlers, projects or hosts used in the range: distinct users and requests (for tables)',
  },
  path: (query, ctx) => `/api/v1/dimensions/${dimensionOf(query, ctx)}`,
  filters: ALL_FILTERS,
  params(_query, ctx) {
    const { start, end, source } = commonParams(ctx);
    return { start, end, ...(source ? { source } : {}), ...peopleParams(ctx, appsKind.filters) };
  },
  frame(answer, query, ctx) {
    return dimensionsToFrame(answer, { refId: query.refId, name: ctx.alias ?? `${answer.dimension}s` });
  },
  displayText(query) {
    return `${query.dimension ?? 'handler'}s used in the range, by distinct users`;
  },
  Editor: DimensionField,
};
