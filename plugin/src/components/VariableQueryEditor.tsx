import React from 'react';
import { InlineField, Input, Select, Stack } from '@grafana/ui';
import type { UsageVariableQuery } from '../types';

interface Props {
  query: UsageVariableQuery;
  onChange: (query: UsageVariableQuery, definition: string) => void;
}

const KINDS = [
  { label: 'Users', value: 'users' as const, description: 'user names seen in the dashboard range' },
  { label: 'Aggregates', value: 'aggregates' as const, description: 'auto, hour, day, week, month, quarter, year' },
];

/** Variables: user names (optionally filtered) or the list of aggregates. */
export function VariableQueryEditor({ query, onChange }: Props) {
  const q: UsageVariableQuery = { kind: query?.kind ?? 'users', search: query?.search ?? '' };
  const emit = (next: UsageVariableQuery) =>
    onChange(next, next.kind === 'users' ? `users${next.search ? ` matching ${next.search}` : ''}` : 'aggregates');
  return (
    <Stack gap={0}>
      <InlineField label="List" labelWidth={10}>
        <Select
          inputId="variable-editor-kind"
          options={KINDS}
          value={q.kind}
          width={20}
          onChange={(v) => emit({ ...q, kind: v.value ?? 'users' })}
        />
      </InlineField>
      {q.kind === 'users' && (
        <InlineField label="Search" labelWidth={10} tooltip="case-insensitive part of the name; $variables allowed">
          <Input
            id="variable-editor-search"
            value={q.search}
            width={24}
            onChange={(e) => emit({ ...q, search: e.currentTarget.value })}
          />
        </InlineField>
      )}
    </Stack>
  );
}
