import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { dataErrors, rolesAnswer, sourceOnlyParams, sourcesAnswer } from '../../contract/schemas';
import { sourceOf, sourcesOf } from '../source';
import type { LoadedMembership } from '../../query/sync/membership';
import type { ApiContext } from '../context';

/** core4's groups with their members, as the membership read from sys.role holds them (for `role=`). */
export const rolesRoutes: FastifyPluginAsyncJsonSchemaToTs<{ Options: ApiContext }> = async (app, ctx) => {
  app.get(
    '/api/v1/roles',
    {
      schema: {
        tags: ['users'],
        querystring: sourceOnlyParams,
        response: { 200: rolesAnswer, ...dataErrors },
      },
    },
    async (request) => {
      const { cols, sync } = sourceOf(ctx, request.query.source);
      const source = cols.sysRoleName ?? null;
      const membership = sync.membership();
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

/** The daemon's sources (USAGE_SOURCE), the default first: what `source=` accepts. */
export const sourcesRoutes: FastifyPluginAsyncJsonSchemaToTs<{ Options: ApiContext }> = async (app, ctx) => {
  app.get(
    '/api/v1/sources',
    { schema: { tags: ['logins'], response: { 200: sourcesAnswer, ...dataErrors } } },
    async () => ({
      sources: sourcesOf(ctx).map((s, i) => ({
        name: s.name,
        default: i === 0,
        target: s.cols.chunks.namespace,
      })),
    })
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
