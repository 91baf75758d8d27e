import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { dataErrors, rolesAnswer } from '../../contract/schemas';
import type { LoadedMembership } from '../../query/sync/membership';
import type { ApiContext } from '../context';

/** core4's groups with their members, as the membership read from sys.role holds them (for `role=`). */
export const rolesRoutes: FastifyPluginAsyncJsonSchemaToTs<{ Options: ApiContext }> = async (app, ctx) => {
  app.get(
    '/api/v1/roles',
    { schema: { tags: ['users'], response: { 200: rolesAnswer, ...dataErrors } } },
    async () => {
      const source = ctx.cols.sysRoleName ?? null;
      const membership = ctx.sync.membership();
      if (!membership) {
        const reason = source
          ? `no membership stored yet: each run reads ${source}; its log says why when it is missing or unreadable`
          : 'roles are off (USAGE_ROLES=off)';
        return { available: false, reason, source, groups: [] };
      }
      return {
        available: true,
        source: membership.source,
        readAt: membership.readAt.toISOString(),
        membershipAsOf: membership.checkedAt.toISOString(),
        users: membership.users.size,
        groups: groupRows(membership),
      };
    }
  );
};

function groupRows(membership: LoadedMembership) {
  return membership.groups.map((g) => {
    const members = membership.members.get(g.name) ?? [];
    return {
      name: g.name,
      realname: g.realname,
      active: g.active,
      members: members.length,
      activeMembers: members.filter((name) => membership.users.get(name)?.active).length,
    };
  });
}
