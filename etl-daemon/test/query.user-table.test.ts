/**
 * "Who uses it" (query/user-table.ts over query/index/activity.ts): every user's first and last login to the
 * millisecond, logins and active local days, against a brute-force reading of the raw logins, for ranges
 * that cut days anywhere, lie inside one day, or span months, in zones with 30/45-minute offsets and DST.
 */
import { DAY_MS, SLOT_MS } from '../src/core/units';
import { seededRandom } from '../src/demo/random';
import type { RawLogins } from '../src/query/login-index';
import { LoginIndex } from '../src/query/login-index';
import { candidates, pageRows, refine, slotsToRefine, tallyUsers } from '../src/query/user-table';
import { BASE, randomLogins, toDays } from './login-fixtures';

const logins = randomLogins(20_000, 13);
const index = new LoginIndex();
index.replaceDays(toDays(logins));
const random = seededRandom(5);

const bySlot = new Map<number, typeof logins>();
for (const l of logins) {
  const list = bySlot.get(Math.floor(l.at / SLOT_MS)) ?? [];
  list.push(l);
  bySlot.set(Math.floor(l.at / SLOT_MS), list);
}

/** The logins of the given slots, as a reader of home.login gives them. */
function rawSlots(slots: Iterable<number>): Map<number, RawLogins> {
  const out = new Map<number, RawLogins>();
  for (const slot of slots) {
    const day = Math.floor((slot * SLOT_MS) / DAY_MS) * DAY_MS;
    const mine = bySlot.get(slot) ?? [];
    out.set(slot, {
      t: Int32Array.from(mine, (l) => l.at - day),
      u: Int32Array.from(mine, (l) => index.userId(l.user)),
    });
  }
  return out;
}

it.each(['UTC', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'America/St_Johns'])(
  'should tally every user exactly in %s',
  (tz) => {
    // The local date by Intl (en-CA formats as YYYY-MM-DD), not by the code under test.
    const localDate = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    for (let round = 0; round < 12; round += 1) {
      const start = BASE + Math.floor(random() * 300 * DAY_MS);
      const span = [0.2, 1.5, 9, 75][round % 4] as number;
      const end = start + Math.floor(span * DAY_MS * (0.5 + random()));
      const tallies = tallyUsers(
        index,
        start,
        end,
        tz,
        rawSlots([Math.floor(start / SLOT_MS), Math.floor(end / SLOT_MS)])
      );
      refine(tallies, rawSlots(slotsToRefine(tallies)));
      const got = tallies
        .map((t) => [index.userName(t.id), t.first, t.last, t.logins, t.activeDays])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      const byUser = new Map<string, number[]>();
      for (const l of logins)
        if (l.at >= start && l.at < end) byUser.set(l.user, [...(byUser.get(l.user) ?? []), l.at]);
      const expected = [...byUser]
        .map(([name, ats]) => [
          name,
          Math.min(...ats),
          Math.max(...ats),
          ats.length,
          new Set(ats.map((at) => localDate.format(at))).size,
        ])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      expect([tz, start, end, got]).toEqual([tz, start, end, expected]);
      expect(expected.length).toBeGreaterThan(0);
    }
  }
);

it('should page every sort and order as a full sort of the exact rows would, ties by name', () => {
  const sorts = ['lastSeen', 'firstSeen', 'logins', 'activeDays', 'name'] as const;
  const nameOf = (id: number) => index.userName(id) ?? '';
  for (let round = 0; round < 40; round += 1) {
    const start = BASE + Math.floor(random() * 300 * DAY_MS);
    const end = start + Math.floor(random() * 40 * DAY_MS) + 1;
    const exact = (() => {
      const tallies = tallyUsers(index, start, end, 'UTC', rawSlots(index.missingSlotsAt([start, end])));
      refine(tallies, rawSlots(slotsToRefine(tallies)));
      return tallies;
    })();
    for (const sort of sorts)
      for (const descending of [true, false]) {
        const limit = 1 + Math.floor(random() * 60);
        const options = { sort, descending, limit, nameOf };
        const tallies = tallyUsers(index, start, end, 'UTC', rawSlots(index.missingSlotsAt([start, end])));
        const page = candidates(tallies, options);
        refine(page, rawSlots(slotsToRefine(page)));
        const field = (t: (typeof exact)[number]) =>
          ({ lastSeen: t.last, firstSeen: t.first, logins: t.logins, activeDays: t.activeDays, name: 0 })[
            sort
          ];
        const sign = descending ? -1 : 1;
        const nameSign = sort === 'name' && descending ? -1 : 1;
        const expected = [...exact]
          .sort((a, b) => sign * (field(a) - field(b)) || nameSign * (nameOf(a.id) < nameOf(b.id) ? -1 : 1))
          .slice(0, limit)
          .map((t) => nameOf(t.id));
        expect([sort, descending, pageRows(page, options).map((r) => r.name)]).toEqual([
          sort,
          descending,
          expected,
        ]);
      }
  }
});
