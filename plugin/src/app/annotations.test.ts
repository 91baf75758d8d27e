import { runsToFrame } from './annotations';

describe('job runs as annotations', () => {
  it('should make one region per run, with result, range, duration and counts or error', () => {
    const frame = runsToFrame('Anno', [
      {
        id: 'r1',
        result: 'success',
        start: '2026-11-01T00:00:00.000Z',
        end: '2026-11-27T00:00:00.000Z',
        startedAt: '2026-11-27T10:00:00.000Z',
        finishedAt: '2026-11-27T10:00:02.500Z',
        stats: { days: 27, logins: 812 },
      },
      {
        id: 'r2',
        result: 'failed',
        startedAt: '2026-11-27T11:00:00.000Z',
        finishedAt: '2026-11-27T11:00:01.000Z',
        error: 'connection refused',
      },
    ]);
    expect(frame.fields.map((f) => f.name)).toEqual(['time', 'timeEnd', 'title', 'text', 'tags']);
    const values = (name: string) => frame.fields.find((f) => f.name === name)?.values;
    expect(values('time')).toEqual([Date.parse('2026-11-27T10:00:00.000Z'), Date.parse('2026-11-27T11:00:00.000Z')]);
    expect(values('timeEnd')).toEqual([Date.parse('2026-11-27T10:00:02.500Z'), Date.parse('2026-11-27T11:00:01.000Z')]);
    expect(values('title')).toEqual(['job run success', 'job run failed']);
    expect(values('text')).toEqual([
      'run r1 [2026-11-01 - 2026-11-27] in 2.5 s: 27 days, 812 logins',
      'run r2 in 1.0 s: connection refused',
    ]);
    expect(values('tags')).toEqual([
      ['core4-usage', 'success'],
      ['core4-usage', 'failed'],
    ]);
  });

  it('should make an empty frame of no runs', () => {
    expect(runsToFrame('Anno', []).length).toBe(0);
  });
});
