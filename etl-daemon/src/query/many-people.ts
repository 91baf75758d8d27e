import { countMasked } from './index/user-mask';
import type { UserMask } from './index/user-mask';
import type { LoginIndex, RawSlots } from './login-index';

/**
 * Distinct users and logins per bucket for many people filters at once (a breakdown's series): each bucket's
 * users are found once for everybody (through the index's cached blocks) and each filter's are those of its
 * mask among them; each bucket's logins are added up per user once, and each filter's are its users' sums.
 * Exactly what counting each filter on its own gives, at the cost of one count plus a popcount and a sum per
 * filter and bucket, instead of one filtered scan of every day per filter.
 */
export function countManyPeople(
  index: LoginIndex,
  request: { bounds: readonly number[]; start: number; end: number; raw: RawSlots | undefined },
  masks: readonly UserMask[],
  want: { logins: boolean }
): { users: number[][]; logins: number[][] } {
  const { bounds, start, end, raw } = request;
  const users = masks.map(() => [] as number[]);
  const logins = masks.map(() => [] as number[]);
  const perUser = new Uint32Array(index.userCount);
  const touched: number[] = [];
  for (let i = 0; i + 1 < bounds.length; i += 1) {
    const a = Math.max(bounds[i] as number, start);
    const b = Math.min(bounds[i + 1] as number, end);
    const active = a < b ? index.activeUsers(a, b, { raw }) : undefined;
    if (want.logins && a < b) index.addLoginsPerUser(a, b, raw, perUser, touched);
    masks.forEach((mask, k) => {
      users[k]?.push(active ? countMasked(active, mask, index.work) : 0);
      if (want.logins) logins[k]?.push(sumOf(perUser, mask, touched));
    });
    for (const id of touched) perUser[id] = 0;
    touched.length = 0;
  }
  return { users, logins };
}

/** The logins of a mask's users: by its ids when it has fewer than the bucket's users, else by theirs. */
function sumOf(perUser: Uint32Array, mask: UserMask, touched: readonly number[]): number {
  let n = 0;
  if (mask.ids.length < touched.length) {
    for (const id of mask.ids) n += perUser[id] ?? 0;
    return n;
  }
  for (const id of touched) {
    if ((((mask.bits[id >>> 5] as number) >>> (id & 31)) & 1) === 1) n += perUser[id] as number;
  }
  return n;
}
