// Runs only against a real Grafana: the demo stack (tests/provisioning.ts says which, and what to export).
import { test, expect } from '@grafana/plugin-e2e';
import { DATASOURCES_FILE } from './provisioning';
import { LOGINS_PATH, viaProxy } from './proxy-paths';

test('should run a weekly unique-users query in a panel', async ({
  panelEditPage,
  readProvisionedDataSource,
  page,
}) => {
  const ds = await readProvisionedDataSource({ fileName: DATASOURCES_FILE });
  await panelEditPage.datasource.set(ds.name);
  await expect(page.locator('#query-editor-metric')).toBeVisible();
  // The panel's query goes to the daemon through the proxy route, not to /api/ds/query.
  await expect(panelEditPage.refreshPanel({ waitForResponsePredicateCallback: viaProxy(LOGINS_PATH) })).toBeOK();
});
