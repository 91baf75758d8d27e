import { DataFrameType, FieldType } from '@grafana/data';
import { heatmapCellsOf } from '../__integration__/grafana-heatmap';
import type { LoginsAnswer, RetentionAnswer } from '../types';
import { answerToFrame, retentionHeatmapFrame, retentionToFrame, userRowsToFrame } from './frames';

const answer: LoginsAnswer = {
  aggregate: 'week',
  tz: 'Europe/Berlin',
  dataUntil: '2026-11-27T12:00:00.000Z',
  buckets: [
    {
      start: '2026-11-09T00:00:00.000+01:00',
      end: '2026-11-16T00:00:00.000+01:00',
      partial: true,
      users: 5,
      logins: 9,
    },
    {
      start: '2026-11-16T00:00:00.000+01:00',
      end: '2026-11-23T00:00:00.000+01:00',
      partial: false,
      users: 7,
      logins: 12,
    },
    {
      start: '2026-11-23T00:00:00.000+01:00',
      end: '2026-11-30T00:00:00.000+01:00',
      partial: false,
      users: 3,
      logins: 4,
    },
  ],
};

describe('answerToFrame', () => {
  it('should give a time field of bucket starts, the metric with its display name and unit, and partial', () => {
    const frame = answerToFrame(answer, { refId: 'A', metric: 'users' });
    expect(frame.refId).toBe('A');
    expect(frame.name).toBe('unique users');
    expect(frame.fields.map((f) => [f.name, f.type])).toEqual([
      ['Time', FieldType.time],
      ['users', FieldType.number],
      ['partial', FieldType.boolean],
    ]);
    expect(frame.fields[0].values).toEqual([
      Date.UTC(2026, 10, 8, 23),
      Date.UTC(2026, 10, 15, 23),
      Date.UTC(2026, 10, 22, 23),
    ]);
    expect(frame.fields[1].values).toEqual([5, 7, 3]);
    // Named for the panel to override; unit and decimals left to the panel.
    expect(frame.fields[1].config).toEqual({ displayNameFromDS: 'unique users' });
    expect(frame.fields[2].values).toEqual([true, false, false]);
    expect(frame.meta?.custom).toEqual({
      aggregate: 'week',
      tz: 'Europe/Berlin',
      dataUntil: '2026-11-27T12:00:00.000Z',
    });
  });

  it('should name the series by the alias and count the chosen metric', () => {
    const frame = answerToFrame(answer, { refId: 'B', metric: 'logins', alias: 'logins per week' });
    expect(frame.fields[1].values).toEqual([9, 12, 4]);
    expect(frame.fields[1].config.displayNameFromDS).toBe('logins per week');
  });

  it('should drop the last bucket when it runs past the data horizon and hideIncomplete is on', () => {
    expect(answerToFrame(answer, { refId: 'A', metric: 'users', hideIncomplete: true }).fields[1].values).toEqual([
      5, 7,
    ]);
    const complete = { ...answer, dataUntil: '2026-12-01T00:00:00.000Z' };
    expect(answerToFrame(complete, { refId: 'A', metric: 'users', hideIncomplete: true }).fields[1].values).toEqual([
      5, 7, 3,
    ]);
  });

  it('should make an empty frame of an empty answer', () => {
    expect(
      answerToFrame({ ...answer, buckets: [] }, { refId: 'A', metric: 'users', hideIncomplete: true }).length
    ).toBe(0);
  });
});

describe('retentionToFrame', () => {
  const retention: RetentionAnswer = {
    periods: 12,
    cohort: 'week',
    tz: 'UTC',
    dataUntil: null,
    cohorts: [
      {
        start: '2026-11-02T00:00:00.000Z',
        end: '2026-11-09T00:00:00.000Z',
        partial: false,
        size: 10,
        retained: [10, 6, 4],
      },
      { start: '2026-11-09T00:00:00.000Z', end: '2026-11-16T00:00:00.000Z', partial: false, size: 8, retained: [8, 5] },
      { start: '2026-11-16T00:00:00.000Z', end: '2026-11-23T00:00:00.000Z', partial: true, size: 0, retained: [0] },
    ],
  };

  it('should make one wide frame: cohort time, size, one field per later period, empty where it has not started', () => {
    const frame = retentionToFrame(retention, { refId: 'R', periods: 12 });
    expect(frame.fields.map((f) => [f.name, f.type])).toEqual([
      ['cohort', FieldType.time],
      ['size', FieldType.number],
      ['week 0', FieldType.number],
      ['week 1', FieldType.number],
      ['week 2', FieldType.number],
    ]);
    expect(frame.fields[0]?.values).toEqual([
      Date.parse('2026-11-02T00:00:00Z'),
      Date.parse('2026-11-09T00:00:00Z'),
      Date.parse('2026-11-16T00:00:00Z'),
    ]);
    expect(frame.fields.slice(2).map((f) => f.values)).toEqual([
      [10, 8, 0],
      [6, 5, null],
      [4, null, null],
    ]);
    expect(retentionToFrame(retention, { refId: 'R', periods: 2 }).fields).toHaveLength(4);
  });
});

describe('userRowsToFrame', () => {
  it('should give a table of who used it, last seen as a time', () => {
    const frame = userRowsToFrame(
      [
        {
          name: 'amy',
          firstSeen: '2026-11-02T08:00:00.123Z',
          lastSeen: '2026-11-20T17:30:00.999Z',
          logins: 12,
          activeDays: 7,
        },
      ],
      { refId: 'U', name: 'users' }
    );
    expect(frame.fields.map((f) => [f.name, f.values[0]])).toEqual([
      ['user', 'amy'],
      ['last seen', Date.parse('2026-11-20T17:30:00.999Z')],
      ['first seen', Date.parse('2026-11-02T08:00:00.123Z')],
      ['logins', 12],
      ['active days', 7],
    ]);
  });
  it("should add sys.role's real name when the daemon sends one (null where a user has no role)", () => {
    const row = { firstSeen: '2026-11-02T08:00:00Z', lastSeen: '2026-11-20T17:30:00Z', logins: 1, activeDays: 1 };
    const frame = userRowsToFrame(
      [
        { ...row, name: 'amy', realname: 'Amy Meyer' },
        { ...row, name: 'bob', realname: null },
      ],
      { refId: 'U', name: 'users' }
    );
    expect(frame.fields.map((f) => f.name).slice(0, 3)).toEqual(['user', 'real name', 'last seen']);
    expect(frame.fields[1]?.values).toEqual(['Amy Meyer', null]);
  });
});

describe('retentionHeatmapFrame through Grafana heatmap-rows preparation', () => {
  const weekly: RetentionAnswer = {
    periods: 12,
    cohort: 'week',
    tz: 'UTC',
    dataUntil: '2026-03-23T00:00:00.000Z',
    cohorts: [
      {
        start: '2026-03-02T00:00:00.000Z',
        end: '2026-03-09T00:00:00.000Z',
        partial: false,
        size: 10,
        retained: [10, 6, 4],
      },
      { start: '2026-03-09T00:00:00.000Z', end: '2026-03-16T00:00:00.000Z', partial: false, size: 8, retained: [8, 5] },
      { start: '2026-03-16T00:00:00.000Z', end: '2026-03-23T00:00:00.000Z', partial: false, size: 7, retained: [7] },
    ],
  };

  it('should draw one row per period, each cohort over its own week, and no size row', () => {
    const cells = heatmapCellsOf(retentionHeatmapFrame(weekly, { refId: 'A', periods: 3 }));
    expect(cells?.yOrdinalDisplay).toEqual(['week 0', 'week 1', 'week 2']);
    // A cell ends at its X (xMax) and is one X step wide: the first cohort spans its own week.
    expect(cells?.xBucketSize).toBe(7 * 86_400_000);
    const first = (cells?.xMax[0] ?? 0) - (cells?.xBucketSize ?? 0);
    expect(new Date(first).toISOString()).toBe(weekly.cohorts[0]?.start);
    expect(cells?.value).toEqual([10, 6, 4, 8, 5, null, 7, null, null]);
    expect(cells?.y).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
  });

  it('should be what the old table frame drew wrong: size as a row and cohorts a period early', () => {
    const table = retentionToFrame(weekly, { refId: 'A', periods: 3 });
    // The table frame is not a heatmap-rows frame: Grafana would calculate a heatmap from it, not draw rows.
    expect(heatmapCellsOf(table)).toBeUndefined();
    const asRows = heatmapCellsOf({ ...table, meta: { ...table.meta, type: DataFrameType.HeatmapRows } });
    expect(asRows?.yOrdinalDisplay[0]).toBe('users');
    expect((asRows?.xMax[0] ?? 0) - (asRows?.xBucketSize ?? 0)).toBe(Date.parse('2026-02-23T00:00:00.000Z'));
  });
});
