// Runs only against a real Grafana with the provisioned data source and a reachable daemon (Docker).
import { test, expect } from '@grafana/plugin-e2e';
import { LOGINS_PATH, viaProxy } from './proxy-paths';

test('should run a weekly unique-users query in a panel', async ({
  panelEditPage,
  readProvisionedDataSource,
  page,
}) => {
  const ds = await readProvisionedDataSource({ fileName: 'datasources.yml' });
  await panelEditPage.datasource.set(ds.name);
  await expect(page.locator('#query-editor-metric')).toBeVisible();
  // The panel's query goes to the daemon through the proxy route, not to /api/ds/query.
  await expect(panelEditPage.refreshPanel({ waitForResponsePredicateCallback: viaProxy(LOGINS_PATH) })).toBeOK();
});
