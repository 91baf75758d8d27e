// Runs only against a real Grafana with the provisioned data source and a reachable daemon (Docker).
import { test, expect } from '@grafana/plugin-e2e';

test('should run a weekly unique-users query in a panel', async ({
  panelEditPage,
  readProvisionedDataSource,
  page,
}) => {
  const ds = await readProvisionedDataSource({ fileName: 'datasources.yml' });
  await panelEditPage.datasource.set(ds.name);
  await expect(page.locator('#query-editor-metric')).toBeVisible();
  await expect(panelEditPage.refreshPanel()).toBeOK();
});
