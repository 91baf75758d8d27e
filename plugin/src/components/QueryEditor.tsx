import React, { useEffect, useState } from 'react';
import type { PanelData, QueryEditorProps, SelectableValue } from '@grafana/data';
import { InlineField, Input, MultiSelect, Select, Stack } from '@grafana/ui';
import type { DaemonLimits } from '../app/daemon-limits';
import type { DataSource } from '../datasource';
import type { PeopleFilter } from '../queries/kind';
import { QUERY_KINDS, kindOf } from '../queries/registry';
import {
  type Metric,
  type RequestDimension,
  type UsageOptions,
  type UsageQuery,
  type UsageQueryType,
  DEFAULT_QUERY,
  METRIC_LABELS,
  RENAMED_METRICS,
  migrateQuery,
} from '../types';

type Props = QueryEditorProps<DataSource, UsageQuery, UsageOptions>;

/** The types a person picks (annotations' `runs` is Grafana's to ask for). */
const QUERY_TYPES: Array<SelectableValue<UsageQueryType>> = Object.values(QUERY_KINDS).flatMap((kind) =>
  kind.option ? [kind.option] : []
);

/** The unit the daemon answered for this query (what `auto` resolved to), from the panel's last result. */
export function resolvedAggregate(data: PanelData | undefined, refId: string): string | undefined {
  const frame = data?.series.find((f) => f.refId === refId);
  const aggregate: unknown = frame?.meta?.custom?.aggregate;
  return typeof aggregate === 'string' ? aggregate : undefined;
}

const asOptions = (names: string[]) => names.map((n) => ({ label: n, value: n }));

/** The editor's fields of the request dimensions, and the dimension each lists. */
const REQUEST_FIELDS: ReadonlyArray<[PeopleFilter, RequestDimension]> = [
  ['handlers', 'handler'],
  ['projects', 'project'],
  ['hosts', 'host'],
];

/** A value of a request dimension as a choice: a handler by its core4 title, its qual_name beside it. */
const dimensionOption = (v: { value: string; title?: string }): SelectableValue<string> =>
  v.title ? { label: v.title, value: v.value, description: v.value } : { label: v.value, value: v.value };

/** The values of the request dimensions seen in the daemon's default range, for the editor's filters. */
function useDimensionValues(
  datasource: DataSource,
  source: string | undefined
): Record<'handlers' | 'projects' | 'hosts', Array<SelectableValue<string>>> {
  const [values, setValues] = useState({ handlers: [], projects: [], hosts: [] } as Record<
    'handlers' | 'projects' | 'hosts',
    Array<SelectableValue<string>>
  >);
  useEffect(() => {
    let live = true;
    for (const [field, dimension] of REQUEST_FIELDS) {
      datasource.dimensionValues(dimension, source ? { source } : {}).then(
        (found) => live && setValues((now) => ({ ...now, [field]: found.map(dimensionOption) })),
        () => undefined
      );
    }
    return () => {
      live = false;
    };
  }, [datasource, source]);
  return values;
}

/** The daemon's user names, groups and limits for the editor (none while they load, or when the daemon fails). */
function useDaemonFacts(
  datasource: DataSource,
  source: string | undefined
): {
  users: Array<SelectableValue<string>>;
  roles: Array<SelectableValue<string>>;
  handlers: Array<SelectableValue<string>>;
  projects: Array<SelectableValue<string>>;
  hosts: Array<SelectableValue<string>>;
  sources: Array<SelectableValue<string>>;
  limits: DaemonLimits | undefined;
} {
  const [users, setUsers] = useState<Array<SelectableValue<string>>>([]);
  const [roles, setRoles] = useState<Array<SelectableValue<string>>>([]);
  const dimensions = useDimensionValues(datasource, source);
  const [sources, setSources] = useState<Array<SelectableValue<string>>>([]);
  const [limits, setLimits] = useState<DaemonLimits | undefined>(undefined);
  useEffect(() => {
    let live = true;
    datasource.users().then(
      (names) => live && setUsers(asOptions(names)),
      () => live && setUsers([])
    );
    datasource.roles().then(
      (names) => live && setRoles(asOptions(names)),
      () => live && setRoles([])
    );
    datasource.sources().then(
      (names) => live && setSources(asOptions(names)),
      () => live && setSources([])
    );
    datasource.limits().then(
      (found) => live && setLimits(found),
      () => undefined
    );
    return () => {
      live = false;
    };
  }, [datasource]);
  return { users, roles, ...dimensions, sources, limits };
}

/** A query saved under an old metric name is changed to the new one, so the dashboard saves it renamed. */
function useRenamedStored(query: UsageQuery, onChange: (query: UsageQuery) => void): void {
  const renamed = query.metric !== undefined && RENAMED_METRICS[query.metric] !== undefined;
  useEffect(() => {
    if (renamed) {
      onChange(migrateQuery(query));
    }
  }, [renamed, query, onChange]);
}

/** The query type, its own section (queries/), the users filter and the alias; every change runs the query. */
export function QueryEditor({ query, onChange, onRunQuery, datasource, data }: Props) {
  const q = migrateQuery({ ...DEFAULT_QUERY, ...query } as UsageQuery);
  const facts = useDaemonFacts(datasource, query.source);
  useRenamedStored(query, onChange);
  const update = (patch: Partial<UsageQuery>) => {
    onChange({ ...query, ...patch });
    onRunQuery();
  };
  const change = (patch: Partial<UsageQuery>) => onChange({ ...query, ...patch });
  const kind = kindOf(q);
  const Section = kind.Editor;
  return (
    <Stack gap={0} wrap="wrap">
      <QueryTypeField query={q} sources={facts.sources} update={update} />
      {Section && (
        <Section
          query={q}
          update={update}
          change={change}
          onRunQuery={onRunQuery}
          resolvedAggregate={resolvedAggregate(data, q.refId)}
          limits={facts.limits}
          variables={datasource.variableNames()}
        />
      )}
      <PeopleFilters filters={kind.filters} query={q} options={facts} update={update} />
      <InlineField label="Alias" labelWidth={8}>
        <Input
          id="query-editor-alias"
          value={q.alias ?? ''}
          placeholder={METRIC_LABELS[q.metric as Metric] ?? 'name; {{metric}} is the metric'}
          width={20}
          onChange={(e) => change({ alias: e.currentTarget.value })}
          onBlur={onRunQuery}
        />
      </InlineField>
    </Stack>
  );
}

/**
 * The query type, and which of the daemon's sources answers (its first when unset: logins; core4-requests
 * when it materialises requests too). A source is a name or a variable.
 */
function QueryTypeField(props: {
  query: UsageQuery;
  sources: Array<SelectableValue<string>>;
  update: (patch: Partial<UsageQuery>) => void;
}) {
  const { query, update } = props;
  return (
    <>
      <InlineField label="Query" labelWidth={8}>
        <Select
          inputId="query-editor-type"
          options={QUERY_TYPES}
          value={query.queryType ?? 'counts'}
          width={14}
          onChange={(v) => update({ queryType: v.value ?? 'counts' })}
        />
      </InlineField>
      {props.sources.length > 1 && (
        <InlineField label="Source" labelWidth={8} tooltip="which lines count: the daemon's sources (USAGE_SOURCE)">
          <Select
            inputId="query-editor-source"
            options={props.sources}
            value={query.source ?? props.sources[0]?.value}
            allowCustomValue
            width={18}
            onChange={(v) => update({ source: v.value || undefined })}
          />
        </InlineField>
      )}
    </>
  );
}

/** The editor's field of each people filter. */
const PEOPLE_FIELDS: Record<PeopleFilter, { label: string; inputId: string; tooltip: string }> = {
  users: {
    label: 'Users',
    inputId: 'query-editor-users',
    tooltip: 'only these users; names or $variables; empty means everybody',
  },
  roles: {
    label: 'Roles',
    inputId: 'query-editor-roles',
    tooltip:
      'only members of these core4 groups (sys.role, nested groups included); names or $variables; empty means everybody',
  },
  handlers: {
    label: 'Handlers',
    inputId: 'query-editor-handlers',
    tooltip:
      "only requests of these handlers (core4's qual_name, titled as sys.handler has them); empty: every request",
  },
  projects: {
    label: 'Projects',
    inputId: 'query-editor-projects',
    tooltip: "only requests of these core4 projects (a handler's first module name); empty: every request",
  },
  hosts: {
    label: 'Hosts',
    inputId: 'query-editor-hosts',
    tooltip: 'only requests served by these hosts; empty: every request',
  },
};

/** Who is counted: users, and members of core4's groups, as the query type takes them; the daemon AND-s them. */
function PeopleFilters(props: {
  filters: readonly PeopleFilter[];
  query: UsageQuery;
  options: Record<PeopleFilter, Array<SelectableValue<string>>>;
  update: (patch: Partial<UsageQuery>) => void;
}) {
  return (
    <>
      {props.filters.map((filter) => (
        <NamesField
          key={filter}
          {...PEOPLE_FIELDS[filter]}
          options={props.options[filter]}
          names={props.query[filter] ?? []}
          onChange={(names) => props.update({ [filter]: names })}
        />
      ))}
    </>
  );
}

/** Only these people (users, or members of groups): names or $variables; empty means everybody. */
function NamesField(props: {
  label: string;
  inputId: string;
  tooltip: string;
  options: Array<SelectableValue<string>>;
  names: string[];
  onChange: (names: string[]) => void;
}) {
  return (
    <InlineField label={props.label} labelWidth={8} tooltip={props.tooltip}>
      <MultiSelect
        inputId={props.inputId}
        options={props.options}
        value={asOptions(props.names)}
        allowCustomValue
        placeholder="everybody"
        width={30}
        onChange={(values) => props.onChange(values.map((v) => v.value ?? '').filter((v) => v !== ''))}
      />
    </InlineField>
  );
}
