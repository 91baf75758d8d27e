import React from 'react';
import type { SelectableValue } from '@grafana/data';
import { InlineField, Select } from '@grafana/ui';
import type { UsageQuery } from '../types';
import { choicesWith } from './choices';

const WEEK_START_OPTIONS: Array<SelectableValue<string>> = [
  { label: 'Monday', value: 'monday', description: 'ISO 8601 weeks (the daemon default)' },
  { label: 'Sunday', value: 'sunday', description: "PostHog's default week" },
  { label: 'Saturday', value: 'saturday' },
];

/** The day weeks start on, for every query type that has weeks; unset is the daemon's default (Monday). */
export function WeekStartField(props: {
  query: UsageQuery;
  update(patch: Partial<UsageQuery>): void;
  variables: string[];
}) {
  const { options, value } = choicesWith(WEEK_START_OPTIONS, props.variables, props.query.weekStart);
  return (
    <InlineField label="Week starts" labelWidth={12} tooltip="the day weekly buckets start on; $variables allowed">
      <Select
        inputId="query-editor-week-start"
        options={options}
        value={value}
        placeholder="Monday"
        isClearable
        allowCustomValue
        width={12}
        onChange={(v) => props.update({ weekStart: v?.value ?? undefined })}
      />
    </InlineField>
  );
}
