import type { ChunkDoc, DayDoc, UsageCollections } from '../src/db/collections';
import type { SummaryDoc } from '../src/db/day-summary';
import { dayDims, encodeSummary } from '../src/db/day-summary';
import { NameDictionary, ensureNames } from '../src/db/user-names';
import { seededRandom } from '../src/demo/random';
import { MAX_EVENTS_PER_CHUNK } from '../src/etl/day-chunks';
import type { HourChunk } from '../src/etl/day-chunks';
import { buildDaySlots } from '../src/core/day-slots';
import { DAY_MS, HOUR_MS } from '../src/core/units';
import { storeMembership } from '../src/db/roles';
import type { RoleRecord } from '../src/etl/role-membership';
import { expandMembership, membershipDigest } from '../src/etl/role-membership';

export interface ScaleSize {
  users: number;
  days: number;
  /** Logins over all days (approximately: heavy users are capped at one active day per day). */
  logins: number;
  /** The last day written is the one before this. */
  end: Date;
  /** Requests with handlers and hosts (core4-requests): each login its key, kept in chunks and summaries. */
  dims?: { handlers: number; hosts: number; projects: number };
}

/** The benches' handlers and hosts: 50 handlers of 8 projects on 5 hosts. */
export const BENCH_DIMS = { handlers: 50, hosts: 5, projects: 8 };

/** A bench handler's qual_name: `<project>.api.v1.<module>.<Class>`, as core4 names handlers. */
export function handlerName(h: number, projects: number): string {
  return `proj${h % projects}.api.v1.app${h}.App${h}Handler`;
}

/**
 * Each user's habits: three favourite handlers (three requests in four go to one of them) and a usual host
 * (four in five); the rest spread over all. Returns the key of each login, as etl/dimensions.ts writes it.
 */
function keyPicker(
  random: () => number,
  users: number,
  dims: NonNullable<ScaleSize['dims']>
): (id: number) => string {
  const favourites = Array.from({ length: users }, () =>
    Array.from({ length: 3 }, () => Math.floor(random() ** 2 * dims.handlers))
  );
  const usual = Int32Array.from({ length: users }, () => Math.floor(random() * dims.hosts));
  const keys = Array.from({ length: dims.handlers }, (_, h) =>
    Array.from(
      { length: dims.hosts },
      (_, host) => `${handlerName(h, dims.projects)}\u001fcore4-app-${host + 1}`
    )
  );
  return (id) => {
    const h =
      random() < 0.75
        ? (favourites[id]?.[Math.floor(random() * 3)] ?? 0)
        : Math.floor(random() * dims.handlers);
    const host = random() < 0.8 ? (usual[id] ?? 0) : Math.floor(random() * dims.hosts);
    return keys[h]?.[host] ?? '';
  };
}

/** A user's name as the index sees it: ids are their order in the dictionary. */
export function userName(id: number): string {
  return `user${String(id).padStart(6, '0')}`;
}

/**
 * Writes home.login directly (no sys.log): for each UTC day, the documents the job writes (hour chunks,
 * the slot summary with dictionary ids, the day document naming the run), in the same shapes and through
 * the same encoders, in bulk. Users differ in how often they come (a skewed weight), log in about twice on
 * an active day around a personal hour of the day, and come less at weekends.
 */
export async function writeScaleData(
  cols: UsageCollections,
  size: ScaleSize,
  onDay?: (done: number) => void
): Promise<{ logins: number; userDays: number }> {
  const random = seededRandom(42);
  const names = Array.from({ length: size.users }, (_, id) => userName(id));
  const dict = new NameDictionary();
  const now = new Date();
  await ensureNames(cols.names, dict, names, now);
  const weight = Float64Array.from({ length: size.users }, () => 0.2 + 1.6 * random() ** 2);
  const hourOf = Float64Array.from({ length: size.users }, () => 6 + 12 * random());
  const keyOf = size.dims && keyPicker(seededRandom(43), size.users, size.dims);
  const meanWeight = weight.reduce((a, b) => a + b, 0) / size.users;
  const first = new Date(size.end.getTime() - size.days * DAY_MS);
  const weekdayFactor = (day: Date) => (day.getUTCDay() === 0 || day.getUTCDay() === 6 ? 0.3 : 1);
  let factorSum = 0;
  for (let d = 0; d < size.days; d += 1) factorSum += weekdayFactor(new Date(first.getTime() + d * DAY_MS));
  const loginsPerActiveDay = 2;
  // The share of users active on a day giving `dayLogins` on average: heavy users are capped at one active
  // day per day, so the share is found by bisection (once per distinct day factor) rather than divided out.
  const shares = new Map<number, number>();
  const shareFor = (dayLogins: number) => {
    let share = shares.get(dayLogins);
    if (share !== undefined) return share;
    let lo = 0;
    let hi = 64;
    for (let k = 0; k < 50; k += 1) {
      const mid = (lo + hi) / 2;
      let expected = 0;
      for (const w of weight) expected += Math.min(1, (mid * w) / meanWeight) * loginsPerActiveDay;
      if (expected < dayLogins) lo = mid;
      else hi = mid;
    }
    share = (lo + hi) / 2;
    shares.set(dayLogins, share);
    return share;
  };
  let total = 0;
  let userDays = 0;
  let batch: { chunks: ChunkDoc[]; summaries: SummaryDoc[]; days: DayDoc[] } = {
    chunks: [],
    summaries: [],
    days: [],
  };
  const flush = async () => {
    if (batch.chunks.length) await cols.chunks.insertMany(batch.chunks, { ordered: false });
    if (batch.summaries.length) await cols.summaries.insertMany(batch.summaries, { ordered: false });
    if (batch.days.length) await cols.days.insertMany(batch.days, { ordered: false });
    batch = { chunks: [], summaries: [], days: [] };
  };
  for (let d = 0; d < size.days; d += 1) {
    const day = new Date(first.getTime() + d * DAY_MS);
    const dayLogins = (size.logins * weekdayFactor(day)) / factorSum;
    const activeShare = shareFor(dayLogins);
    const t: number[] = [];
    const ids: number[] = [];
    for (let id = 0; id < size.users; id += 1) {
      if (random() >= Math.min(1, (activeShare * (weight[id] ?? 1)) / meanWeight)) continue;
      userDays += 1;
      // 1 + geometric: two logins on average.
      for (let k = 0; k === 0 || random() < 0.5; k += 1) {
        const hour = (hourOf[id] ?? 12) + 2.5 * (random() + random() + random() - 1.5);
        t.push(Math.min(DAY_MS - 1, Math.max(0, Math.floor(hour * HOUR_MS))));
        ids.push(id);
      }
    }
    const order = Array.from(t.keys()).sort(
      (a, b) => (t[a] ?? 0) - (t[b] ?? 0) || (ids[a] ?? 0) - (ids[b] ?? 0)
    );
    const st = Int32Array.from(order, (i) => t[i] ?? 0);
    const su = Int32Array.from(order, (i) => ids[i] ?? 0);
    const keys = keyOf && Array.from(su, (id) => keyOf(id));
    const chunks = hourChunks(st, su, keys);
    const run = `bench-${d}`;
    const src = { collection: 'bench_core4.sys.log', from: day, to: new Date(day.getTime() + DAY_MS) };
    for (const chunk of chunks) batch.chunks.push({ ...chunk, day, run, fence: 1, src, writtenAt: now });
    const dims = keys && dayDims({ t: st, keys }, su);
    const parts = encodeSummary(buildDaySlots(st, su), undefined, dims);
    for (const part of parts) batch.summaries.push({ ...part, day, run, fence: 1, writtenAt: now });
    batch.days.push({
      day,
      run,
      chunks: chunks.length,
      summaries: parts.length,
      logins: st.length,
      users: new Set(su).size,
      complete: true,
      src,
      writtenAt: now,
      fence: 1,
      selection: 'bench',
    });
    total += st.length;
    if (batch.chunks.length >= 2000 || d === size.days - 1) await flush();
    onDay?.(d + 1);
  }
  return { logins: total, userDays };
}

/** The chunks buildDayChunks makes of time-ordered logins, without LoginEvent objects (100 M of them). */
function hourChunks(t: Int32Array, u: Int32Array, keys?: readonly string[]): HourChunk[] {
  const chunks: (HourChunk & { local: Map<number, number>; keyLocal: Map<string, number> })[] = [];
  let current: (HourChunk & { local: Map<number, number>; keyLocal: Map<string, number> }) | undefined;
  for (let i = 0; i < t.length; i += 1) {
    const hour = Math.floor((t[i] ?? 0) / HOUR_MS);
    if (!current || current.hour !== hour || current.logins >= MAX_EVENTS_PER_CHUNK) {
      const part = current && current.hour === hour ? current.part + 1 : 0;
      current = { hour, part, users: [], u: [], t: [], logins: 0, local: new Map(), keyLocal: new Map() };
      if (keys) Object.assign(current, { keys: [], k: [] });
      chunks.push(current);
    }
    const id = u[i] ?? 0;
    let local = current.local.get(id);
    if (local === undefined) {
      local = current.users.length;
      current.users.push(userName(id));
      current.local.set(id, local);
    }
    current.u.push(local);
    current.t.push((t[i] ?? 0) - hour * HOUR_MS);
    const key = keys?.[i];
    if (key !== undefined) {
      let k = current.keyLocal.get(key);
      if (k === undefined) {
        k = current.keyLocal.size;
        current.keys?.push(key);
        current.keyLocal.set(key, k);
      }
      current.k?.push(k);
    }
    current.logins += 1;
  }
  return chunks.map(({ hour, part, users, u: uu, t: tt, logins, keys: kk, k }) => ({
    hour,
    part,
    users,
    u: uu,
    t: tt,
    logins,
    ...(kk && k ? { keys: kk, k } : {}),
  }));
}

/**
 * The membership a run would store for the bench's users, as if read from a sys.role of 19 groups: `staff`
 * holding four departments, each holding three teams (so a person is in a team, its department and staff),
 * and `managers` and `oncall` beside them. Stored through the product's own writer (db/roles.ts).
 */
export async function writeScaleMembership(
  cols: UsageCollections,
  users: number
): Promise<{ groups: number }> {
  const random = seededRandom(7);
  const departments = ['eng', 'sales', 'finance', 'ops'];
  const groups: RoleRecord[] = [];
  const group = (name: string, within: string[]) =>
    groups.push({ ...ROLE_BASE, id: name, name, isUser: false, roles: within });
  group('staff', []);
  group('managers', []);
  group('oncall', []);
  for (const d of departments) {
    group(d, ['staff']);
    for (let t = 1; t <= 3; t += 1) group(`${d}-team-${t}`, [d]);
  }
  const teams = groups.filter((g) => g.name.includes('-team-')).map((g) => g.id);
  const people: RoleRecord[] = Array.from({ length: users }, (_, id) => ({
    ...ROLE_BASE,
    id: `u${id}`,
    name: userName(id),
    isUser: true,
    roles: [
      teams[Math.floor(random() * teams.length)] as string,
      ...(random() < 0.08 ? ['managers'] : []),
      ...(random() < 0.05 ? ['oncall'] : []),
    ],
  }));
  const membership = expandMembership([...groups, ...people]);
  await storeMembership(cols, membership, {
    set: 'bench',
    fence: 0,
    digest: membershipDigest(membership),
    source: 'bench_core4.sys.role',
    now: new Date(),
  });
  return { groups: groups.length };
}

const ROLE_BASE = { realname: null, isActive: true, created: null, lastLogin: null };
