import React, { useEffect } from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { Alert } from '@grafana/ui';
import type { DataSource } from '../datasource';
import type { UsageOptions, UsageQuery } from '../types';

type Props = QueryEditorProps<DataSource, UsageQuery, UsageOptions>;

/**
 * The annotation query: the job's finished runs, one region each. There is nothing to choose; the frame's
 * fields are the ones Grafana's field mapping below offers (time, timeEnd, title, text, tags).
 */
export function RunsAnnotationEditor({ query, onChange }: Props) {
  useEffect(() => {
    if (query.queryType !== 'runs') {
      onChange({ ...query, queryType: 'runs' });
    }
  }, [query, onChange]);
  return (
    <Alert severity="info" title="Job runs">
      One region per finished run of the core4-usage job, from its start to its end, titled by its result (success,
      failed or aborted), with the days and logins it wrote or its error. Tags: core4-usage and the result.
    </Alert>
  );
}
