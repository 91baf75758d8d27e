import React from 'react';
import { type DataFrame, FieldType, type SelectableValue, createDataFrame } from '@grafana/data';
import { InlineField, Input, Select } from '@grafana/ui';
import { templatedChoice } from '../app/templating';
import { AGGREGATES, type Aggregate, PEOPLE_STATUSES, type PeopleAnswer, type PeopleStatus } from '../types';
import { choicesWith } from './choices';
import { type Params, type QueryKind, type SectionProps, commonParams, peopleParams, weekStartOf } from './kind';
import { WeekStartField } from './week-start';

const STATUS_OPTIONS: Array<SelectableValue<string>> = PEOPLE_STATUSES.map((s) => ({ label: s, value: s }));
const SIZE_OPTIONS: Array<SelectableValue<string>> = AGGREGATES.map((a) => ({ label: a, value: a }));

/** The bucket size of a people query: its aggregate, `week` while that is `auto` (which sizes a chart). */
function bucketSize(aggregate: string | undefined): string {
  return !aggregate || aggregate === 'auto' ? 'week' : aggregate;
}

/** A lifecycle status's bucket: its size, which one, and the week start. */
function BucketFields({ query, update, change, onRunQuery, variables }: SectionProps) {
  const size = choicesWith(SIZE_OPTIONS, variables, bucketSize(query.aggregate));
  return (
    <>
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

/** Status, and (for a lifecycle status) bucket size, week start, and which bucket. */
function PeopleEditor(props: SectionProps) {
  const { query, update, variables } = props;
  const status = choicesWith(STATUS_OPTIONS, variables, query.status ?? 'dormant');
  return (
    <>
      <InlineField
        label="Status"
        labelWidth={9}
        tooltip="the lifecycle status whose people are listed; never: core4's active users with no activity in the range"
      >
        <Select
          inputId="query-editor-status"
          options={status.options}
          value={status.value}
          allowCustomValue
          width={16}
          onChange={(v) => update({ status: v.value ?? 'dormant' })}
        />
      </InlineField>
      {query.status !== 'never' && <BucketFields {...props} />}
    </>
  );
}

const instant = (text: string | null | undefined) => (text ? Date.parse(text) : null);

/**
 * A table: user, last login (in the bucket or the one before; none for never), and what sys.role says of them
 * when the daemon reads it (real name, created, last password login); the count and the bucket in the meta.
 */
function peopleToFrame(answer: PeopleAnswer, options: { refId: string; name: string }): DataFrame {
  const rows = answer.users;
  const fromRoles = rows.some((u) => u.realname !== undefined);
  const fields = [
    { name: 'user', type: FieldType.string, values: rows.map((u) => u.name) },
    ...(fromRoles ? [{ name: 'real name', type: FieldType.string, values: rows.map((u) => u.realname ?? null) }] : []),
    ...(answer.status === 'never'
      ? []
      : [{ name: 'last seen', type: FieldType.time, values: rows.map((u) => instant(u.lastSeen)) }]),
    ...(fromRoles
      ? [
          { name: 'last password login', type: FieldType.time, values: rows.map((u) => instant(u.lastLogin)) },
          { name: 'created', type: FieldType.time, values: rows.map((u) => instant(u.created)) },
        ]
      : []),
  ];
  const frame = createDataFrame({ refId: options.refId, name: options.name, fields });
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
    description:
      "who is new, returning, resurrecting or dormant in a bucket, with their last login, or core4's users never seen in the range (for tables)",
  },
  path: '/api/v1/users',
  filters: ['roles', 'handlers', 'projects', 'hosts'],
  params(query, ctx): Params {
    const { start, end, tz, ...source } = commonParams(ctx);
    const status = templatedChoice<PeopleStatus>('status', query.status, {
      replace: ctx.replace,
      accepted: PEOPLE_STATUSES,
      fallback: 'dormant',
    });
    const limit = String(ctx.limits.userRows.max);
    const people = peopleParams(ctx, peopleKind.filters);
    if (status === 'never') {
      return { ...source, status, start, end, limit, ...people };
    }
    const aggregate = templatedChoice<Aggregate>('aggregate', bucketSize(query.aggregate), {
      replace: ctx.replace,
      accepted: AGGREGATES,
      fallback: 'week',
    });
    const bucket = query.bucket ? ctx.replace(query.bucket) : String(ctx.range.to - 1);
    const weekStart = weekStartOf(query, ctx);
    return {
      ...source,
      status,
      bucket,
      end,
      tz,
      aggregate,
      limit,
      ...people,
      ...(weekStart ? { weekStart } : {}),
    };
  },
  frame(answer, query, ctx) {
    const name = answer.status === 'never' ? 'never seen' : `${answer.status} people`;
    return peopleToFrame(answer, { refId: query.refId, name: ctx.alias ?? name });
  },
  displayText(query) {
    if (query.status === 'never') {
      return 'core4 users not seen in the range';
    }
    const at = query.bucket ? `the ${bucketSize(query.aggregate)} of ${query.bucket}` : "the range's last bucket";
    return `${query.status ?? 'dormant'} people in ${at}`;
  },
  Editor: PeopleEditor,
};
