/**
 * A stored day read into the index's ids (query/sync/stored-day.ts withIndexIds): index ids need not ascend
 * with the dictionary's (a name first met in a day read from its chunks, stored before summaries, reaches the
 * dictionary later through `summarize`), and readers find a user in a slot by bisection
 * (indexed-day.ts slotsOfUsers), so a slot whose users the mapping put out of order is sorted again.
 */
import { seededRandom } from '../src/demo/random';
import { buildDaySlots } from '../src/core/day-slots';
import { forEachDimEntry } from '../src/core/dim-slots';
import { dayDims } from '../src/db/day-summary';
import { DAY_MS } from '../src/core/units';
import { withIndexIds } from '../src/query/sync/stored-day';
import { indexDay, slotsOfUsers } from '../src/query/index/indexed-day';
import { DictionaryMap } from '../src/query/sync/dictionary-map';
import { NameDictionary, ensureNames } from '../src/db/user-names';
import type { TestDb } from './helpers';
import { openTestDb } from './helpers';

const USERS = 60;

function storedDay(seed: number) {
  const random = seededRandom(seed);
  const n = 4_000;
  const t = Array.from({ length: n }, () => Math.floor(random() * DAY_MS));
  const ids = Array.from({ length: n }, () => Math.floor(random() * USERS));
  const keys = Array.from({ length: n }, () => `app.H${Math.floor(random() * 4)}\u001fh1`);
  const dims = dayDims({ t, keys }, ids);
  return { t, ids, keys, stored: { slots: buildDaySlots(t, ids), maxId: USERS - 1, dims } };
}

/** Each (slot, user, key name) with its logins, from the logins themselves. */
function fromLogins(t: number[], ids: number[], keys: string[]): string[] {
  const count = new Map<string, number>();
  t.forEach((at, i) => {
    const entry = `${Math.floor(at / 900_000)},${ids[i]},${keys[i]}`;
    count.set(entry, (count.get(entry) ?? 0) + 1);
  });
  return [...count].map(([entry, n]) => `${entry}x${n}`).sort();
}

describe('withIndexIds (query/sync/stored-day.ts)', () => {
  const keyNames = ['\u001f', 'app.H3\u001fh1', 'app.H0\u001fh1', 'app.H1\u001fh1', 'app.H2\u001fh1'];
  const index = { userCount: USERS, keyNames, keyId: (name: string) => keyNames.indexOf(name) };

  it.each([
    ['ascending', (id: number) => id * 2 + 1],
    ['reversed', (id: number) => USERS - 1 - id],
    ['shuffled', (id: number) => (id * 37) % USERS],
  ])('should give every slot its users in order and the same entries, the mapping %s', (_name, map) => {
    const { t, ids, keys, stored } = storedDay(3);
    const toIndex = Uint32Array.from({ length: USERS }, (_, id) => map(id));
    const ascending = toIndex.every((v, id) => id === 0 || v > (toIndex[id - 1] as number));
    const read = withIndexIds(stored, { toIndex, ascending }, { ...index, userCount: USERS * 2 + 1 });
    expect(read?.dims).toBeDefined();
    if (!read?.dims) return;
    const mapped = ids.map((id) => toIndex[id] as number);
    const expected = buildDaySlots(t, mapped);
    expect({ ...read.slots, ids: Array.from(read.slots.ids) }).toEqual({
      ...expected,
      ids: Array.from(expected.ids),
    });
    const entries: string[] = [];
    forEachDimEntry({ slots: read.slots, dims: read.dims }, (s, id, key, n) =>
      entries.push(`${s},${id},${keyNames[key]}x${n}`)
    );
    expect(entries.sort()).toEqual(fromLogins(t, mapped, keys));
    // The bisection finds every user's first and last slot as one pass over the logins does.
    const day = indexDay(read.slots, undefined, USERS * 2 + 1, read.dims);
    const users = [...new Set(mapped)].sort((a, b) => a - b);
    const slotsOf = (which: 'first' | 'last') =>
      users.map((u) => {
        const slots = t.filter((_at, i) => mapped[i] === u).map((at) => Math.floor(at / 900_000));
        return which === 'first' ? Math.min(...slots) : Math.max(...slots);
      });
    for (const few of [users.slice(0, 2), users.slice(-1)])
      expect(slotsOfUsers(day, few, 'first')).toEqual(
        slotsOf('first').filter((_s, k) => few.includes(users[k] as number))
      );
    expect(slotsOfUsers(day, users.slice(0, 2), 'last')).toEqual(slotsOf('last').slice(0, 2));
  });
});

describe('DictionaryMap.ascending (query/sync/dictionary-map.ts)', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(() => db.close());

  it("should say whether index ids ascend with the dictionary's, over every batch read", async () => {
    const writer = new NameDictionary();
    const now = new Date('2026-11-30T00:00:00Z');
    await ensureNames(db.cols.names, writer, ['ann', 'bob'], now);
    // The index met 'cy' first (a day read from its chunks): it has a smaller id than names read before it.
    const indexIds = new Map([['cy', 0]]);
    const userId = (name: string) => {
      if (!indexIds.has(name)) indexIds.set(name, indexIds.size);
      return indexIds.get(name) as number;
    };
    const map = new DictionaryMap(db.cols, userId);
    await map.sync();
    expect([Array.from(map.toIndex), map.ascending]).toEqual([[1, 2], true]);
    await ensureNames(db.cols.names, writer, ['cy', 'dee'], now);
    await map.sync();
    expect([Array.from(map.toIndex), map.ascending]).toEqual([[1, 2, 0, 3], false]);
  });
});
