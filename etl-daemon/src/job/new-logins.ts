import type { LoginEvent } from '../etl/selector';
import { UNKNOWN_KEY } from '../etl/dimensions';

/**
 * What a re-read window adds to what is stored for it: the logins of `fresh` (sys.log, read again from the
 * window's start) that are not among `stored` (home.login's logins of the same window), as multisets of
 * (instant, user, handler and host): a user with two lines in one second counts twice. Lines only ever arrive, so every stored
 * login is expected among the fresh ones; when some are not (sys.log was cleaned up, or the lines changed),
 * `vanished` says how many and the caller rewrites the day instead of appending.
 */
export function newLogins(
  stored: readonly LoginEvent[],
  fresh: readonly LoginEvent[]
): { added: LoginEvent[]; vanished: 0 } | { vanished: number } {
  const key = (e: LoginEvent) => `${e.created.getTime()}\u0000${e.user}\u0000${e.key ?? UNKNOWN_KEY}`;
  const left = new Map<string, number>();
  for (const e of stored) left.set(key(e), (left.get(key(e)) ?? 0) + 1);
  const added: LoginEvent[] = [];
  for (const e of fresh) {
    const k = key(e);
    const n = left.get(k) ?? 0;
    if (n > 0) left.set(k, n - 1);
    else added.push(e);
  }
  let vanished = 0;
  for (const n of left.values()) vanished += n;
  return vanished > 0 ? { vanished } : { added, vanished: 0 };
}
