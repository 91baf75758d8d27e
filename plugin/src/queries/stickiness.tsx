import React from 'react';
import type { SelectableValue } from '@grafana/data';
import { InlineField, InlineSwitch, Select } from '@grafana/ui';
import { stickinessToFrame } from '../app/frames';
import { templatedChoice } from '../app/templating';
import { type StickinessAnswer, type StickinessInterval, STICKINESS_INTERVALS } from '../types';
import { choicesWith } from './choices';
import {
  type Params,
  type QueryKind,
  type SectionProps,
  commonParams,
  peopleParams,
  weekStartOf,
  ALL_FILTERS,
} from './kind';
import { WeekStartField } from './week-start';

const INTERVAL_OPTIONS: Array<SelectableValue<string>> = STICKINESS_INTERVALS.map((i) => ({ label: i, value: i }));

/** The interval counted, the week start, and "n or more". */
function StickinessEditor({ query, update, variables }: SectionProps) {
  const interval = choicesWith(INTERVAL_OPTIONS, variables, query.interval ?? 'day');
  return (
    <>
      <InlineField label="Days of" labelWidth={9} tooltip="users are counted by the intervals they were active in">
        <Select
          inputId="query-editor-interval"
          options={interval.options}
          value={interval.value}
          allowCustomValue
          width={12}
          onChange={(v) => update({ interval: v.value ?? 'day' })}
        />
      </InlineField>
      <WeekStartField query={query} update={update} variables={variables} />
      <InlineField label="n or more" labelWidth={11} tooltip="users active on n or more intervals (cumulative)">
        <InlineSwitch
          id="query-editor-cumulative"
          value={Boolean(query.cumulative)}
          onChange={(e) => update({ cumulative: e.currentTarget.checked })}
        />
      </InlineField>
    </>
  );
}

/** How many users were active on 1, 2, … days (weeks, months) of the range: /api/v1/stickiness. */
export const stickinessKind: QueryKind<StickinessAnswer> = {
  type: 'stickiness',
  option: {
    label: 'stickiness',
    value: 'stickiness',
    description: 'how many users were active on 1, 2, … days (weeks) of the range (bar chart)',
  },
  path: '/api/v1/stickiness',
  filters: ALL_FILTERS,
  params(query, ctx) {
    const { start, end, tz, ...source } = commonParams(ctx);
    const interval = templatedChoice<StickinessInterval>('interval', query.interval, {
      replace: ctx.replace,
      accepted: STICKINESS_INTERVALS,
      fallback: 'day',
    });
    const weekStart = weekStartOf(query, ctx);
    return {
      ...source,
      start,
      end,
      tz,
      interval,
      ...(query.cumulative ? { cumulative: 'true' } : {}),
      ...(weekStart ? { weekStart } : {}),
      ...peopleParams(ctx),
    } as Params;
  },
  frame(answer, query, ctx) {
    return stickinessToFrame(answer, { refId: query.refId, alias: ctx.alias });
  },
  displayText(query) {
    return `users active on ${query.cumulative ? 'n or more' : 'n'} ${query.interval ?? 'day'}s of the range`;
  },
  Editor: StickinessEditor,
};
