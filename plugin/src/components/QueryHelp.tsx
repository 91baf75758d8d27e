import React from 'react';
import type { QueryEditorHelpProps } from '@grafana/data';
import { MAX_AUTO_BUCKETS } from '../app/query-mapping';
import { type Metric, type UsageQuery, AGGREGATES, METRIC_HELP, METRIC_LABELS } from '../types';

/** The query editor's Help: what each metric counts and how `auto` chooses the calendar unit. */
export function QueryHelp(_props: QueryEditorHelpProps<UsageQuery>) {
  return (
    <div>
      <h4>Metrics</h4>
      <ul>
        {(Object.keys(METRIC_LABELS) as Metric[]).map((m) => (
          <li key={m}>
            <b>{METRIC_LABELS[m]}</b>: {METRIC_HELP[m]}.
          </li>
        ))}
      </ul>
      <h4>Per (calendar buckets)</h4>
      <p>
        Buckets are calendar {AGGREGATES.join(', ')}s of the dashboard&apos;s time zone (weeks start on Monday),
        labelled by their start; a bucket cut by the range is marked partial. <b>auto</b> picks the finest unit that
        gives at most {MAX_AUTO_BUCKETS} buckets over the range and is not finer than Grafana&apos;s interval: hours up
        to about six days, days up to five months, weeks up to about three years, then months, quarters and years. The
        editor shows the unit the last answer used.
      </p>
      <h4>Users</h4>
      <p>
        Empty, or a variable at <i>All</i>, means everybody (no filter, however many users the variable lists).
      </p>
    </div>
  );
}
