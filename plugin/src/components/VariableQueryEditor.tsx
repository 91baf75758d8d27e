import React from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { InlineField, Input, Select, Stack } from '@grafana/ui';
import type { DataSource } from '../datasource';
import type { UsageOptions, UsageQuery, UsageVariableQuery } from '../types';

type Props = QueryEditorProps<DataSource, UsageQuery, UsageOptions, UsageVariableQuery>;

const KINDS = [
  { label: 'Users', value: 'users' as const, description: 'user names seen in the dashboard range' },
  { label: 'Roles', value: 'roles' as const, description: "core4's active groups (sys.role), for role filters" },
  { label: 'Handlers', value: 'handler' as const, description: 'handlers (apps) used in the dashboard range' },
  { label: 'Projects', value: 'project' as const, description: 'core4 projects used in the dashboard range' },
  { label: 'Hosts', value: 'host' as const, description: 'hosts that served requests in the dashboard range' },
  { label: 'Aggregates', value: 'aggregates' as const, description: 'auto, hour, day, week, month, quarter, year' },
];

/**
 * Variables: user names of the dashboard's range (optionally filtered), core4's groups, the handlers,
 * projects or hosts of the range, or the aggregates.
 */
export function VariableQueryEditor({ query, onChange }: Props) {
  const q: UsageVariableQuery = { ...query, kind: query?.kind ?? 'users', search: query?.search ?? '' };
  return (
    <Stack gap={0}>
      <InlineField label="List" labelWidth={10}>
        <Select
          inputId="variable-editor-kind"
          options={KINDS}
          value={q.kind}
          width={20}
          onChange={(v) => onChange({ ...q, kind: v.value ?? 'users' })}
        />
      </InlineField>
      {(q.kind === 'handler' || q.kind === 'project' || q.kind === 'host') && (
        <InlineField
          label="Source"
          labelWidth={10}
          tooltip="which of the daemon's sources lists them; empty: its first"
        >
          <Input
            id="variable-editor-source"
            value={q.source ?? ''}
            placeholder="core4-requests"
            width={24}
            onChange={(e) => onChange({ ...q, source: e.currentTarget.value || undefined })}
          />
        </InlineField>
      )}
      {q.kind === 'users' && (
        <InlineField label="Search" labelWidth={10} tooltip="case-insensitive part of the name; $variables allowed">
          <Input
            id="variable-editor-search"
            value={q.search}
            width={24}
            onChange={(e) => onChange({ ...q, search: e.currentTarget.value })}
          />
        </InlineField>
      )}
    </Stack>
  );
}
