import { HOSTS, ROUTES } from './generate-sys-log';

/** The demo's titles, as each handler's `title` class attribute would give them. */
const TITLES: Readonly<Record<string, string>> = {
  'core4.api.v1.request.main.CoreRequestHandler': 'core4 profile',
  'core4.api.v1.request.role.main.RoleHandler': 'Role management',
  'core4.api.v1.request.queue.job.JobHandler': 'Job queue',
  'mkt.api.v1.campaign.CampaignHandler': 'Campaign planner',
  'mkt.api.v1.report.ReportHandler': 'Marketing reports',
  'fin.api.v1.budget.BudgetHandler': 'Budget',
  'fin.api.v1.invoice.InvoiceHandler': 'Invoices',
  // hr.api.v1.directory.DirectoryHandler has no document: a handler whose server never registered.
};

/**
 * sys.handler as core4/api/v1/tool/serve.py (`register`) writes it at a server's start: per serving host,
 * port and resource id the handler's qual_name, project, title and routes (`container`: container qual_name,
 * route pattern, root, rule name), `started_at` the server's start.
 */
export function generateSysHandler(startedAt: Date): Record<string, unknown>[] {
  const servers = HOSTS.filter((h) => h.includes('-app-'));
  return servers.flatMap((hostname, h) =>
    Object.entries(TITLES).map(([qualName, title], i) => ({
      hostname,
      port: 5001,
      routing: `${hostname}:5001`,
      started_at: new Date(startedAt.getTime() + h * 1000),
      created_at: startedAt,
      rsc_id: `${(i + 1).toString(16).padStart(32, '0')}`,
      project: qualName.split('.')[0],
      qual_name: qualName,
      title,
      subtitle: null,
      protected: true,
      tag: [],
      container: (ROUTES[qualName] ?? []).map((route) => [
        `${qualName.split('.')[0]}.api.v1.server.CoreApiServer`,
        `${route}$`,
        `/${qualName.split('.')[0]}`,
        null,
      ]),
    }))
  );
}
