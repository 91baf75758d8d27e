import { buildDayChunks, chunkEvents } from '../src/etl/day-chunks';

const day = new Date('2026-03-29T00:00:00Z');
const at = (iso: string) => new Date(`2026-03-29T${iso}Z`);

describe('buildDayChunks', () => {
  it('should group by UTC hour in time order, naming each user once per chunk', () => {
    const { chunks, summary } = buildDayChunks(day, [
      { user: 'bob', created: at('01:30:00') },
      { user: 'amy', created: at('01:00:00.250') },
      { user: 'amy', created: at('01:59:59.999') },
      { user: 'cy', created: at('23:00:00') },
    ]);
    expect(chunks).toEqual([
      { hour: 1, part: 0, users: ['amy', 'bob'], u: [0, 1, 0], t: [250, 1_800_000, 3_599_999], logins: 3 },
      { hour: 23, part: 0, users: ['cy'], u: [0], t: [0], logins: 1 },
    ]);
    expect(summary).toEqual({ logins: 4, users: 3 });
  });

  it('should split an hour into parts of at most maxEvents logins', () => {
    const events = Array.from({ length: 7 }, (_, i) => ({ user: `u${i % 2}`, created: at(`05:00:0${i}`) }));
    const { chunks } = buildDayChunks(day, events, 3);
    expect(chunks.map((c) => [c.hour, c.part, c.logins, c.users])).toEqual([
      [5, 0, 3, ['u0', 'u1']],
      [5, 1, 3, ['u1', 'u0']],
      [5, 2, 1, ['u0']],
    ]);
  });

  it('should give the same chunks whatever order the logins arrive in, and round-trip them', () => {
    const events = Array.from({ length: 50 }, (_, i) => ({
      user: `u${(i * 7) % 11}`,
      created: new Date(day.getTime() + ((i * 7919) % 86_400) * 1000),
    }));
    const forward = buildDayChunks(day, events, 8);
    const backward = buildDayChunks(day, [...events].reverse(), 8);
    expect(backward).toEqual(forward);
    const back = forward.chunks.flatMap((c) => chunkEvents(day, c));
    const key = (e: { user: string; created: Date }) => `${e.created.toISOString()}|${e.user}`;
    expect(back.map(key).sort()).toEqual(events.map(key).sort());
  });

  it('should return no chunks for a day without logins', () => {
    expect(buildDayChunks(day, [])).toEqual({ chunks: [], summary: { logins: 0, users: 0 } });
  });

  it('should refuse a login outside the day', () => {
    expect(() => buildDayChunks(day, [{ user: 'amy', created: new Date('2026-03-30T00:00:00Z') }])).toThrow(
      'buildDayChunks: 2026-03-30T00:00:00.000Z is outside the day'
    );
  });
});
