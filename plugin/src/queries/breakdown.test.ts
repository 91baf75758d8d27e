import { breakdownParams, seriesAnswers } from './breakdown';
import type { LoginsAnswer } from '../types';

const bucket = (start: string, users: number) => ({ start, end: start, partial: false, users });
const ANSWER: LoginsAnswer = {
  aggregate: 'week',
  tz: 'UTC',
  dataUntil: null,
  buckets: [bucket('2026-11-02', 9), bucket('2026-11-09', 8)],
  breakdown: 'role',
  series: [
    { key: 'engineering', users: 6, buckets: [bucket('2026-11-02', 5), bucket('2026-11-09', 4)] },
    { key: 'other', other: true, users: 4, buckets: [bucket('2026-11-02', 3), bucket('2026-11-09', 4)] },
  ],
};
const replace = (text: string) => (text === '$by' ? 'role' : text === '$none' ? '' : text);

describe('breakdowns in the plugin', () => {
  it('should ask for a breakdown only when one is set, with the limit or the daemon default', () => {
    expect(breakdownParams({}, { replace })).toEqual({});
    expect(breakdownParams({ breakdown: '$none' }, { replace })).toEqual({});
    expect(breakdownParams({ breakdown: 'role' }, { replace })).toEqual({ breakdown: 'role', limit: '10' });
    expect(breakdownParams({ breakdown: '$by', breakdownLimit: 3 }, { replace })).toEqual({
      breakdown: 'role',
      limit: '3',
    });
    expect(() => breakdownParams({ breakdown: 'team' }, { replace })).toThrow(/breakdown.*team/);
  });

  it("should make one answer per series, each with the series' buckets, named by key (and metric, or alias)", () => {
    const series = seriesAnswers(ANSWER, undefined);
    expect(series.map((s) => s.answer.buckets.map((b) => b.users))).toEqual([
      [5, 4],
      [3, 4],
    ]);
    expect(series.map((s) => s.name('unique users', false))).toEqual(['engineering', 'other']);
    expect(series.map((s) => s.name('unique users', true))).toEqual(['engineering unique users', 'other unique users']);
    expect(seriesAnswers(ANSWER, '{{key}}: {{metric}}').map((s) => s.name('logins', true))).toEqual([
      'engineering: logins',
      'other: logins',
    ]);
  });
});
