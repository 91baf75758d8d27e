import React from 'react';
import { type DataFrame, FieldType, type SelectableValue, createDataFrame } from '@grafana/data';
import { InlineField, Input, Select } from '@grafana/ui';
import { templatedChoice } from '../app/templating';
import { AGGREGATES, type Aggregate, LIFECYCLE_STATUSES, type LifecycleStatus, type PeopleAnswer } from '../types';
import { choicesWith } from './choices';
import { type QueryKind, type SectionProps, commonParams, weekStartOf } from './kind';
import { WeekStartField } from './week-start';

const STATUS_OPTIONS: Array<SelectableValue<string>> = LIFECYCLE_STATUSES.map((s) => ({ label: s, value: s }));
const SIZE_OPTIONS: Array<SelectableValue<string>> = AGGREGATES.map((a) => ({ label: a, value: a }));

/** The bucket size of a people query: its aggregate, `week` while that is `auto` (which sizes a chart). */
function bucketSize(aggregate: string | undefined): string {
  return !aggregate || aggregate === 'auto' ? 'week' : aggregate;
}

/** Status, bucket size, week start, and which bucket. */
function PeopleEditor({ query, update, change, onRunQuery, variables }: SectionProps) {
  const status = choicesWith(STATUS_OPTIONS, variables, query.status ?? 'dormant');
  const size = choicesWith(SIZE_OPTIONS, variables, bucketSize(query.aggregate));
  return (
    <>
      <InlineField label="Status" labelWidth={9} tooltip="the lifecycle status whose people are listed">
        <Select
          inputId="query-editor-status"
          options={status.options}
          value={status.value}
          allowCustomValue
          width={16}
          onChange={(v) => update({ status: v.value ?? 'dormant' })}
        />
      </InlineField>
      <InlineField label="Bucket of" labelWidth={10} tooltip="the bucket size, as the lifecycle chart's">
        <Select
          inputId="query-editor-bucket-size"
          options={size.options}
          value={size.value}
          allowCustomValue
          width={12}
          onChange={(v) => update({ aggregate: v.value ?? 'week' })}
        />
      </InlineField>
      <InlineField
        label="At"
        labelWidth={5}
        tooltip="an instant of the bucket (ISO 8601, epoch ms or a variable a data link sets); empty: the range's end"
      >
        <Input
          id="query-editor-bucket"
          value={query.bucket ?? ''}
          placeholder="the range's end"
          width={26}
          onChange={(e) => change({ bucket: e.currentTarget.value || undefined })}
          onBlur={onRunQuery}
        />
      </InlineField>
      <WeekStartField query={query} update={update} variables={variables} />
    </>
  );
}

/** A table: user, last login (in the bucket or the one before); the count and the bucket in the frame's meta. */
function peopleToFrame(answer: PeopleAnswer, options: { refId: string; name: string }): DataFrame {
  const frame = createDataFrame({
    refId: options.refId,
    name: options.name,
    fields: [
      { name: 'user', type: FieldType.string, values: answer.users.map((u) => u.name) },
      { name: 'last seen', type: FieldType.time, values: answer.users.map((u) => Date.parse(u.lastSeen)) },
    ],
  });
  frame.meta = {
    custom: { status: answer.status, count: answer.count, bucket: answer.bucket, truncated: answer.truncated },
    notices: answer.truncated
      ? [{ severity: 'info', text: `${answer.users.length} of ${answer.count} people shown (the daemon's row limit)` }]
      : [],
  };
  return frame;
}

/** Who is behind a lifecycle number: /api/v1/users?status, the people of one status in one bucket. */
export const peopleKind: QueryKind<PeopleAnswer> = {
  type: 'people',
  option: {
    label: 'people behind a lifecycle number',
    value: 'people',
    description: 'who is new, returning, resurrecting or dormant in a bucket, with their last login (for tables)',
  },
  path: '/api/v1/users',
  filtersUsers: false,
  params(query, ctx) {
    const { end, tz } = commonParams(ctx, { users: false });
    const status = templatedChoice<LifecycleStatus>('status', query.status, {
      replace: ctx.replace,
      accepted: LIFECYCLE_STATUSES,
      fallback: 'dormant',
    });
    const aggregate = templatedChoice<Aggregate>('aggregate', bucketSize(query.aggregate), {
      replace: ctx.replace,
      accepted: AGGREGATES,
      fallback: 'week',
    });
    const bucket = query.bucket ? ctx.replace(query.bucket) : String(ctx.range.to - 1);
    const weekStart = weekStartOf(query, ctx);
    return {
      status,
      bucket,
      end,
      tz,
      aggregate,
      limit: String(ctx.limits.userRows.max),
      ...(weekStart ? { weekStart } : {}),
    };
  },
  frame(answer, query, ctx) {
    return peopleToFrame(answer, { refId: query.refId, name: ctx.alias ?? `${answer.status} people` });
  },
  displayText(query) {
    const at = query.bucket ? `the ${bucketSize(query.aggregate)} of ${query.bucket}` : "the range's last bucket";
    return `${query.status ?? 'dormant'} people in ${at}`;
  },
  Editor: PeopleEditor,
};
