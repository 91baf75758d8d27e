import { frameToRunEvents, runsToFrame } from './annotations';

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
    expect(frameToRunEvents([frame])).toEqual([
      {
        time: Date.parse('2026-11-27T10:00:00.000Z'),
        timeEnd: Date.parse('2026-11-27T10:00:02.500Z'),
        isRegion: true,
        title: 'job run success',
        text: 'run r1 [2026-11-01 - 2026-11-27] in 2.5 s: 27 days, 812 logins',
        tags: ['core4-usage', 'success'],
      },
      {
        time: Date.parse('2026-11-27T11:00:00.000Z'),
        timeEnd: Date.parse('2026-11-27T11:00:01.000Z'),
        isRegion: true,
        title: 'job run failed',
        text: 'run r2 in 1.0 s: connection refused',
        tags: ['core4-usage', 'failed'],
      },
    ]);
  });

  it('should make no events of no runs', () => {
    expect(frameToRunEvents([runsToFrame('Anno', [])])).toEqual([]);
  });
});
