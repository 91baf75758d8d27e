import { FieldType } from '@grafana/data';
import type { LoginsAnswer } from '../types';
import { answerToFrame } from './frames';

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
    expect(frame.fields[1].config).toMatchObject({ displayName: 'unique users', unit: 'short', decimals: 0 });
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
    expect(frame.fields[1].config.displayName).toBe('logins per week');
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
