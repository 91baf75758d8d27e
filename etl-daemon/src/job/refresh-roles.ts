import type { Logger } from 'pino';
import type { UsageCollections } from '../db/collections';
import type { Clock } from '../db/server-clock';
import { confirmMembership, readMembershipHeader, readSysRole, storeMembership } from '../db/roles';
import { coerceError } from '../errors';
import { expandMembership, membershipDigest } from '../etl/role-membership';

/** What a runner remembers between runs about sys.role: the problem it last warned of, so it warns once. */
export interface RolesState {
  warned: string | undefined;
}

export type RolesOutcome = 'off' | 'unavailable' | 'unchanged' | 'stored' | 'not stored';

/**
 * A run's last step: reads sys.role, expands every user's groups as core4 does, and stores the expansion
 * when it changed (else only marks it checked). sys.role missing, empty or unreadable never fails the run:
 * the stored membership (if any) stays as it was, and the problem is logged once until it changes.
 */
export async function refreshRoles(
  deps: { cols: UsageCollections; clock: Clock; logger: Logger; roles: RolesState },
  write: { set: string; fence: number }
): Promise<RolesOutcome> {
  const { cols, roles } = deps;
  if (!cols.sysRole || !cols.sysRoleName) return 'off';
  const warnOnce = (problem: string) => {
    if (roles.warned !== problem)
      deps.logger.warn(
        `${problem}: role filters use the membership stored before, if any (GET /api/v1/roles)`
      );
    roles.warned = problem;
    return 'unavailable' as const;
  };
  let records;
  try {
    records = await readSysRole(cols.sysRole);
  } catch (error) {
    return warnOnce(`${cols.sysRoleName} could not be read (${coerceError(error).message})`);
  }
  if (!records.some((r) => r.isUser)) return warnOnce(`${cols.sysRoleName} holds no user roles`);
  roles.warned = undefined;
  const membership = expandMembership(records);
  const digest = membershipDigest(membership);
  try {
    const now = await deps.clock();
    const stored = await readMembershipHeader(cols.role);
    if (
      stored?.digest === digest &&
      (await confirmMembership(cols.role, { digest, fence: write.fence, now }))
    )
      return 'unchanged';
    await storeMembership(cols, membership, { ...write, digest, source: cols.sysRoleName, now });
    return 'stored';
  } catch (error) {
    deps.logger.warn({ err: coerceError(error) }, 'the membership read from sys.role was not stored');
    return 'not stored';
  }
}
