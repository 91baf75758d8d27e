// Runs only against a real Grafana (`npm run server` with Docker, then `npm run e2e`): not on machines
// without a Docker engine, where src/__smoke__ and src/__integration__ cover what can be covered.
import { test, expect } from '@grafana/plugin-e2e';
import type { UsageOptions, UsageSecureJsonData } from '../src/types';
import { HEALTH_PATH } from './proxy-paths';

test('should render the config editor', async ({ createDataSourceConfigPage, readProvisionedDataSource, page }) => {
  const ds = await readProvisionedDataSource<UsageOptions, UsageSecureJsonData>({ fileName: 'datasources.yml' });
  await createDataSourceConfigPage({ type: ds.type });
  await expect(page.locator('#config-editor-url')).toBeVisible();
  await expect(page.locator('#config-editor-token')).toBeVisible();
});

test('"Save & test" should report the daemon as unreachable for a wrong URL', async ({
  createDataSourceConfigPage,
  readProvisionedDataSource,
  page,
}) => {
  const ds = await readProvisionedDataSource<UsageOptions, UsageSecureJsonData>({ fileName: 'datasources.yml' });
  const configPage = await createDataSourceConfigPage({ type: ds.type });
  await page.locator('#config-editor-url').fill('http://127.0.0.1:9');
  // Save & test of this data source calls the daemon's /health through the proxy route, not Grafana's
  // /api/datasources/uid/<uid>/health: wait for that path.
  await configPage.saveAndTest({ path: HEALTH_PATH });
  await expect(configPage).toHaveAlert('error', { hasText: 'Daemon unreachable' });
});

test('"Save & test" should pass for the provisioned data source', async ({
  gotoDataSourceConfigPage,
  readProvisionedDataSource,
}) => {
  const ds = await readProvisionedDataSource<UsageOptions, UsageSecureJsonData>({ fileName: 'datasources.yml' });
  const configPage = await gotoDataSourceConfigPage(ds.uid);
  await configPage.saveAndTest({ path: HEALTH_PATH });
  await expect(configPage).toHaveAlert('success', { hasText: 'OK:' });
});
