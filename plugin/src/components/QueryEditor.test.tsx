import React from 'react';
import { act, fireEvent, render, screen } from '@testing-library/react';
import type { DataSource } from '../datasource';
import type { UsageQuery } from '../types';
import { QueryEditor } from './QueryEditor';
import { QueryHelp } from './QueryHelp';

/** What limitsFromOpenApi reads from the daemon's /openapi.json (checked against the real daemon in __integration__). */
const LIMITS = { userRows: { max: 10_000 }, periods: { min: 1, max: 400, default: 12 } };

type Props = React.ComponentProps<typeof QueryEditor>;

/** Renders and lets the editor's user request settle inside act, as it would before anyone clicks. */
async function setup(testProps: Partial<Props> = {}) {
  const props: Props = {
    datasource: {
      users: jest.fn().mockResolvedValue(['amy', 'bob']),
      roles: jest.fn().mockResolvedValue(['engineering', 'marketing']),
      sources: jest.fn().mockResolvedValue(['core4-logins', 'core4-requests']),
      // /api/v1/dimensions/<d>: a handler titled in sys.handler, one not; projects; hosts.
      dimensionValues: jest.fn((dimension: string) =>
        Promise.resolve(
          {
            handler: [
              { value: 'mkt.api.v1.report.ReportHandler', title: 'Marketing reports' },
              { value: 'fin.api.v1.budget.BudgetHandler' },
            ],
            project: [{ value: 'mkt' }, { value: 'fin' }],
            host: [{ value: 'core4-app-1' }],
          }[dimension]
        )
      ),
      limits: jest.fn().mockResolvedValue(LIMITS),
      variableNames: jest.fn().mockReturnValue(['$metric', '$weeks']),
    } as unknown as DataSource,
    query: { refId: 'A', metric: 'users', aggregate: 'auto' } as UsageQuery,
    onChange: jest.fn(),
    onRunQuery: jest.fn(),
    ...testProps,
  };
  await act(async () => {
    render(<QueryEditor {...props} />);
  });
  return props;
}

async function choose(inputId: string, label: string) {
  const input = document.getElementById(inputId) as HTMLInputElement;
  fireEvent.keyDown(input, { key: 'ArrowDown' });
  fireEvent.click(await screen.findByText(label, { selector: 'span' }));
}

describe('QueryEditor: variables, renamed metrics, new query types', () => {
  it('should offer the dashboard variables for the metric and keep a chosen one', async () => {
    const props = await setup();
    await choose('query-editor-metric', '$metric');
    expect(props.onChange).toHaveBeenCalledWith({ refId: 'A', metric: '$metric', aggregate: 'auto' });
  });

  it('should store a query saved as stickiness under dau_mau, once, and show it as DAU/MAU', async () => {
    const props = await setup({ query: { refId: 'A', metric: 'stickiness', aggregate: 'day' } as UsageQuery });
    expect(props.onChange).toHaveBeenCalledTimes(1);
    expect(props.onChange).toHaveBeenCalledWith({ refId: 'A', metric: 'dau_mau', aggregate: 'day' });
    expect(screen.getByText('DAU/MAU')).toBeInTheDocument();
  });

  it('should take a variable for periods and a period-N view with its period', async () => {
    const props = await setup({
      query: {
        refId: 'A',
        queryType: 'retention',
        metric: 'users',
        aggregate: 'auto',
        retentionFormat: 'period',
      } as UsageQuery,
    });
    const periods = document.getElementById('query-editor-periods') as HTMLInputElement;
    fireEvent.change(periods, { target: { value: '$weeks' } });
    expect(props.onChange).toHaveBeenLastCalledWith(expect.objectContaining({ periods: '$weeks' }));
    fireEvent.change(periods, { target: { value: '9' } });
    expect(props.onChange).toHaveBeenLastCalledWith(expect.objectContaining({ periods: 9 }));
    const period = document.getElementById('query-editor-period') as HTMLInputElement;
    fireEvent.change(period, { target: { value: '4' } });
    expect(props.onChange).toHaveBeenLastCalledWith(expect.objectContaining({ period: 4 }));
    await choose('query-editor-retention-mode', 'on or after');
    expect(props.onChange).toHaveBeenLastCalledWith(expect.objectContaining({ retentionMode: 'on_or_after' }));
  });

  it('should edit a stickiness query: interval, week start and n or more', async () => {
    const props = await setup({
      query: { refId: 'A', queryType: 'stickiness', metric: 'users', aggregate: 'auto' } as UsageQuery,
    });
    await choose('query-editor-interval', 'week');
    expect(props.onChange).toHaveBeenLastCalledWith(expect.objectContaining({ interval: 'week' }));
    await choose('query-editor-week-start', 'Sunday');
    expect(props.onChange).toHaveBeenLastCalledWith(expect.objectContaining({ weekStart: 'sunday' }));
    fireEvent.click(document.getElementById('query-editor-cumulative') as HTMLInputElement);
    expect(props.onChange).toHaveBeenLastCalledWith(expect.objectContaining({ cumulative: true }));
    expect(props.onRunQuery).toHaveBeenCalledTimes(3);
  });

  it('should edit a people query: status, bucket size and the instant of the bucket', async () => {
    const props = await setup({
      query: { refId: 'A', queryType: 'people', metric: 'users', aggregate: 'auto' } as UsageQuery,
    });
    expect(screen.getByText('dormant')).toBeInTheDocument();
    expect(screen.getByText('week')).toBeInTheDocument();
    await choose('query-editor-status', 'resurrecting');
    expect(props.onChange).toHaveBeenLastCalledWith(expect.objectContaining({ status: 'resurrecting' }));
    await choose('query-editor-bucket-size', 'month');
    expect(props.onChange).toHaveBeenLastCalledWith(expect.objectContaining({ aggregate: 'month' }));
    const at = document.getElementById('query-editor-bucket') as HTMLInputElement;
    fireEvent.change(at, { target: { value: '$bucket' } });
    expect(props.onChange).toHaveBeenLastCalledWith(expect.objectContaining({ bucket: '$bucket' }));
    fireEvent.blur(at);
    expect(props.onRunQuery).toHaveBeenCalledTimes(3);
  });

  it("should offer never (core4's users not seen in the range), which asks for no bucket", async () => {
    const props = await setup({
      query: { refId: 'A', queryType: 'people', metric: 'users', aggregate: 'auto' } as UsageQuery,
    });
    expect(document.getElementById('query-editor-bucket')).not.toBeNull();
    await choose('query-editor-status', 'never');
    expect(props.onChange).toHaveBeenLastCalledWith(expect.objectContaining({ status: 'never' }));
  });

  it('should offer the groups, not single users, as the filter of the people tables', async () => {
    await setup({
      query: { refId: 'A', queryType: 'people', metric: 'users', aggregate: 'auto' } as UsageQuery,
    });
    expect(document.getElementById('query-editor-roles')).not.toBeNull();
    expect(document.getElementById('query-editor-users')).toBeNull();
  });

  it('should show no bucket fields for never', async () => {
    await setup({
      query: { refId: 'A', queryType: 'people', metric: 'users', aggregate: 'auto', status: 'never' } as UsageQuery,
    });
    expect(screen.getByText('never')).toBeInTheDocument();
    expect(document.getElementById('query-editor-bucket')).toBeNull();
    expect(document.getElementById('query-editor-bucket-size')).toBeNull();
  });
});

describe('QueryEditor', () => {
  it('should show the query with its defaults and load the users once', async () => {
    const props = await setup();
    expect(screen.getByText('unique users')).toBeInTheDocument();
    expect(screen.getByText('auto')).toBeInTheDocument();
    expect(props.datasource.users).toHaveBeenCalledTimes(1);
  });

  it('should change the metric and run the query', async () => {
    const props = await setup();
    await choose('query-editor-metric', 'logins');
    expect(props.onChange).toHaveBeenCalledWith({ refId: 'A', metric: 'logins', aggregate: 'auto' });
    expect(props.onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('should switch to the user list and run the query', async () => {
    const props = await setup();
    await choose('query-editor-type', 'user list');
    expect(props.onChange).toHaveBeenCalledWith(expect.objectContaining({ queryType: 'users' }));
    expect(props.onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('should offer the engagement metrics, each with what it counts', async () => {
    const props = await setup();
    const input = document.getElementById('query-editor-metric') as HTMLInputElement;
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(await screen.findByText('active, 30 days (MAU)', { selector: 'span' })).toBeInTheDocument();
    expect(
      screen.getByText('active in the bucket, not in the bucket before, but at some time before that')
    ).toBeInTheDocument();
    fireEvent.click(screen.getByText('dormant', { selector: 'span' }));
    expect(props.onChange).toHaveBeenCalledWith({ refId: 'A', metric: 'dormant', aggregate: 'auto' });
  });

  it('should edit a retention query: cohort and periods instead of metric and aggregate', async () => {
    const props = await setup({
      query: { refId: 'A', metric: 'users', aggregate: 'auto', queryType: 'retention', periods: 12 } as UsageQuery,
    });
    expect(document.getElementById('query-editor-metric')).toBeNull();
    expect(document.getElementById('query-editor-aggregate')).toBeNull();
    expect(document.getElementById('query-editor-users')).not.toBeNull();
    await choose('query-editor-cohort', 'month');
    expect(props.onChange).toHaveBeenCalledWith(expect.objectContaining({ queryType: 'retention', cohort: 'month' }));
    const periods = document.getElementById('query-editor-periods') as HTMLInputElement;
    fireEvent.change(periods, { target: { value: '8' } });
    expect(props.onChange).toHaveBeenLastCalledWith(expect.objectContaining({ periods: 8 }));
    fireEvent.change(periods, { target: { value: '0' } }); // out of range: not taken
    expect(props.onChange).toHaveBeenLastCalledWith(expect.objectContaining({ periods: 8 }));
    fireEvent.blur(periods);
    expect(props.onRunQuery).toHaveBeenCalledTimes(2);
  });

  it('should switch to retention and run the query', async () => {
    const props = await setup();
    await choose('query-editor-type', 'retention');
    expect(props.onChange).toHaveBeenCalledWith(expect.objectContaining({ queryType: 'retention' }));
    expect(props.onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('should pin an aggregate and run the query', async () => {
    const props = await setup();
    await choose('query-editor-aggregate', 'month');
    expect(props.onChange).toHaveBeenCalledWith(expect.objectContaining({ aggregate: 'month' }));
    expect(props.onRunQuery).toHaveBeenCalled();
  });

  it('should offer the users from the daemon and add the one chosen', async () => {
    const props = await setup();
    await choose('query-editor-users', 'bob');
    expect(props.onChange).toHaveBeenCalledWith(expect.objectContaining({ users: ['bob'] }));
  });

  it("should offer core4's groups from the daemon and add the one chosen, beside a variable", async () => {
    const props = await setup({
      query: { refId: 'A', metric: 'users', aggregate: 'auto', roles: ['$role'] } as UsageQuery,
    });
    expect(props.datasource.roles).toHaveBeenCalledTimes(1);
    await choose('query-editor-roles', 'marketing');
    expect(props.onChange).toHaveBeenCalledWith(expect.objectContaining({ roles: ['$role', 'marketing'] }));
    expect(props.onRunQuery).toHaveBeenCalled();
  });

  it('should offer the handlers by their core4 title and keep the qual_name chosen', async () => {
    const props = await setup({
      query: { refId: 'A', metric: 'users', aggregate: 'auto', projects: ['$project'] } as UsageQuery,
    });
    expect(props.datasource.dimensionValues).toHaveBeenCalledWith('handler', {});
    await choose('query-editor-handlers', 'Marketing reports');
    expect(props.onChange).toHaveBeenCalledWith(
      expect.objectContaining({ handlers: ['mkt.api.v1.report.ReportHandler'] })
    );
    await choose('query-editor-hosts', 'core4-app-1');
    expect(props.onChange).toHaveBeenLastCalledWith(expect.objectContaining({ hosts: ['core4-app-1'] }));
    expect(props.onRunQuery).toHaveBeenCalled();
  });

  it('should offer a breakdown by handler, project and host', async () => {
    const props = await setup();
    await choose('query-editor-breakdown', 'project');
    expect(props.onChange).toHaveBeenLastCalledWith(expect.objectContaining({ breakdown: 'project' }));
  });

  it("should offer the daemon's sources, its first shown when none is chosen", async () => {
    const props = await setup();
    expect(screen.getByText('core4-logins')).toBeInTheDocument();
    await choose('query-editor-source', 'core4-requests');
    expect(props.onChange).toHaveBeenLastCalledWith(expect.objectContaining({ source: 'core4-requests' }));
    expect(props.onRunQuery).toHaveBeenCalled();
  });

  it('should offer a breakdown by core4 group and then how many series', async () => {
    const props = await setup();
    expect(document.getElementById('query-editor-breakdown-limit')).toBeNull();
    await choose('query-editor-breakdown', 'core4 group');
    expect(props.onChange).toHaveBeenLastCalledWith(expect.objectContaining({ breakdown: 'role' }));
  });

  it('should set the number of series of a breakdown on typing and run it on blur', async () => {
    const props = await setup({
      query: { refId: 'A', metric: 'users', aggregate: 'auto', breakdown: 'role' } as UsageQuery,
    });
    const top = document.getElementById('query-editor-breakdown-limit') as HTMLInputElement;
    expect(top.value).toBe('10');
    fireEvent.change(top, { target: { value: '4' } });
    expect(props.onChange).toHaveBeenLastCalledWith(expect.objectContaining({ breakdownLimit: 4 }));
    expect(props.onRunQuery).not.toHaveBeenCalled();
    fireEvent.blur(top);
    expect(props.onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('should keep chosen users and variables, and remove one', async () => {
    const props = await setup({
      query: { refId: 'A', metric: 'users', aggregate: 'auto', users: ['amy', '$user'] } as UsageQuery,
    });
    expect(screen.getByText('$user')).toBeInTheDocument();
    fireEvent.click(screen.getAllByLabelText('Remove')[0]);
    expect(props.onChange).toHaveBeenCalledWith(expect.objectContaining({ users: ['$user'] }));
  });

  it('should set the alias on typing and run the query on blur', async () => {
    const props = await setup();
    const alias = document.getElementById('query-editor-alias') as HTMLInputElement;
    fireEvent.change(alias, { target: { value: 'weekly users' } });
    expect(props.onChange).toHaveBeenCalledWith(expect.objectContaining({ alias: 'weekly users' }));
    expect(props.onRunQuery).not.toHaveBeenCalled();
    fireEvent.blur(alias);
    expect(props.onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('should toggle hiding the incomplete bucket and run the query', async () => {
    const props = await setup();
    fireEvent.click(document.getElementById('query-editor-hide-incomplete') as HTMLInputElement);
    expect(props.onChange).toHaveBeenCalledWith(expect.objectContaining({ hideIncomplete: true }));
    expect(props.onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('should still work when the users cannot be loaded', async () => {
    const props = await setup({
      datasource: {
        users: jest.fn().mockRejectedValue(new Error('HTTP 502')),
        roles: jest.fn().mockRejectedValue(new Error('HTTP 502')),
        sources: jest.fn().mockRejectedValue(new Error('HTTP 502')),
        dimensionValues: jest.fn().mockRejectedValue(new Error('HTTP 502')),
        limits: jest.fn().mockRejectedValue(new Error('HTTP 502')),
        variableNames: () => [],
      } as unknown as DataSource,
    });
    expect(props.datasource.users).toHaveBeenCalledTimes(1);
    fireEvent.keyDown(document.getElementById('query-editor-users') as HTMLInputElement, { key: 'ArrowDown' });
    expect(await screen.findByText('No options found')).toBeInTheDocument();
    expect(screen.queryByText('bob')).not.toBeInTheDocument();
  });
});

describe('QueryEditor: what auto resolved to, and help', () => {
  const dataWith = (aggregate: string) =>
    ({
      series: [{ refId: 'A', fields: [], length: 0, meta: { custom: { aggregate, tz: 'UTC' } } }],
    }) as unknown as Props['data'];

  it('should show the unit the last answer used when the query says auto, and nothing when it is pinned', async () => {
    await setup({ data: dataWith('day') });
    expect(screen.getByTestId('resolved-aggregate')).toHaveTextContent('→ day');
  });

  it('should not repeat a pinned unit', async () => {
    await setup({ query: { refId: 'A', metric: 'users', aggregate: 'week' } as UsageQuery, data: dataWith('week') });
    expect(screen.queryByTestId('resolved-aggregate')).toBeNull();
  });

  it('should explain each metric in its option', async () => {
    await setup();
    const input = document.getElementById('query-editor-metric') as HTMLInputElement;
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(await screen.findByText('people whose first login ever falls in the bucket')).toBeInTheDocument();
  });
});

describe('QueryHelp', () => {
  it('should name every metric and the auto rule', () => {
    render(<QueryHelp datasource={{} as never} query={{ refId: 'A' } as UsageQuery} onClickExample={jest.fn()} />);
    expect(screen.getByText('new users')).toBeInTheDocument();
    expect(screen.getByText(/at most 150 buckets over the range and is not finer than Grafana/)).toBeInTheDocument();
    expect(screen.getByText(/a variable at/)).toHaveTextContent('Empty, or a variable at All, means everybody');
  });
});
