import { RangeArgumentError, daysOf, parseIsoArgument, resolveRange } from '../src/job/resolve-range';

const configStart = new Date('2026-01-01T00:00:00Z');
const now = new Date('2026-03-31T12:34:56Z');
const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

describe('resolveRange', () => {
  it('should start at the configured first day when there is no checkpoint and end today', () => {
    expect(resolveRange({}, { checkpoint: undefined, configStart, now })).toEqual({
      firstDay: day('2026-01-01'),
      lastDay: day('2026-03-31'),
      checkpoint: day('2026-01-01'),
    });
  });

  it('should resume from the checkpoint, and ignore it on reset', () => {
    const checkpoint = day('2026-03-30');
    expect(resolveRange({}, { checkpoint, configStart, now })).toMatchObject({
      firstDay: checkpoint,
      checkpoint,
    });
    expect(resolveRange({ reset: true }, { checkpoint, configStart, now })).toMatchObject({
      firstDay: configStart,
      checkpoint: configStart,
    });
  });

  it('should truncate explicit date-times to UTC days, honouring their offsets', () => {
    const range = resolveRange(
      { start: '2026-03-02T01:00:00+02:00', end: '2026-03-05T23:59:59Z' },
      { checkpoint: day('2026-03-20'), configStart, now }
    );
    expect(range).toEqual({
      firstDay: day('2026-03-01'),
      lastDay: day('2026-03-05'),
      checkpoint: day('2026-03-20'),
    });
    expect(daysOf(range).map((d) => d.toISOString().slice(0, 10))).toEqual([
      '2026-03-01',
      '2026-03-02',
      '2026-03-03',
      '2026-03-04',
      '2026-03-05',
    ]);
  });

  it.each([
    [{ end: '2026-04-01' }, 'end: 2026-04-01 is in the future (today is 2026-03-31 UTC)'],
    [
      { start: '2026-03-10', end: '2026-03-09' },
      'unexpected date range [2026-03-10 - 2026-03-09]: end is before start',
    ],
    [{ start: '31.03.2026' }, "start: '31.03.2026' is not an ISO 8601 date or date-time (e.g. 2026-01-31)"],
    [{ end: '' }, "end: '' is not an ISO 8601 date or date-time (e.g. 2026-01-31)"],
    [
      { start: '2026-03-01T00:00:00+25:00' },
      "start: '2026-03-01T00:00:00+25:00' is not an ISO 8601 date or date-time (e.g. 2026-01-31)",
    ],
  ])('should reject %j', (args, message) => {
    expect(() => resolveRange(args, { checkpoint: undefined, configStart, now })).toThrow(
      new RangeArgumentError(message)
    );
  });

  it('should reject a resume whose checkpoint lies after an explicit end', () => {
    expect(() =>
      resolveRange({ end: '2026-03-01' }, { checkpoint: day('2026-03-10'), configStart, now })
    ).toThrow('unexpected date range [2026-03-10 - 2026-03-01]: end is before start');
  });

  it('should parse dates, date-times and offsets', () => {
    expect(parseIsoArgument('start', '2026-03-01')).toEqual(day('2026-03-01'));
    expect(parseIsoArgument('start', '2026-03-01T05:45:00+05:45')).toEqual(day('2026-03-01'));
  });
});
