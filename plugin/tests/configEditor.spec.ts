// Runs only against a real Grafana: the demo stack (tests/provisioning.ts says which, and what to export).
// Not run on machines without a Docker engine, where src/__smoke__ and src/__integration__ cover what can be.
import { test, expect } from '@grafana/plugin-e2e';
import type { UsageOptions, UsageSecureJsonData } from '../src/types';
import { DATASOURCES_FILE } from './provisioning';
import { HEALTH_PATH, viaProxy } from './proxy-paths';

test('should render the config editor with the connection settings', async ({
  createDataSourceConfigPage,
  readProvisionedDataSource,
  page,
}) => {
  const ds = await readProvisionedDataSource<UsageOptions, UsageSecureJsonData>({ fileName: DATASOURCES_FILE });
  await createDataSourceConfigPage({ type: ds.type });
  for (const id of ['url', 'token', 'timeout', 'tls-ca', 'tls-client', 'tls-skip']) {
    await expect(page.locator(`#config-editor-${id}`)).toBeVisible();
  }
});

test('"Save & test" of a created data source should say a wrong URL cannot be connected to', async ({
  createDataSourceConfigPage,
  readProvisionedDataSource,
  page,
}) => {
  const ds = await readProvisionedDataSource<UsageOptions, UsageSecureJsonData>({ fileName: DATASOURCES_FILE });
  const configPage = await createDataSourceConfigPage({ type: ds.type });
  await page.locator('#config-editor-url').fill('http://127.0.0.1:9');
  // Save & test of this data source calls the daemon's /health through the proxy route, not Grafana's
  // /api/datasources/uid/<uid>/health: wait for that path.
  await configPage.saveAndTest({ path: HEALTH_PATH });
  await expect(configPage).toHaveAlert('error', { hasText: 'Could not connect to the daemon' });
});

test('"Save & test" of a created data source should pass with the daemon\'s URL and token', async ({
  createDataSourceConfigPage,
  readProvisionedDataSource,
  page,
}) => {
  const ds = await readProvisionedDataSource<UsageOptions, UsageSecureJsonData>({ fileName: DATASOURCES_FILE });
  const configPage = await createDataSourceConfigPage({ type: ds.type });
  await page.locator('#config-editor-url').fill(ds.jsonData.url ?? '');
  await page.locator('#config-editor-token').fill(ds.secureJsonData?.token ?? '');
  await configPage.saveAndTest({ path: HEALTH_PATH });
  await expect(configPage).toHaveAlert('success', { hasText: 'OK:' });
});

test('"Test" should pass for the provisioned, read-only data source', async ({
  gotoDataSourceConfigPage,
  readProvisionedDataSource,
  page,
}) => {
  const ds = await readProvisionedDataSource<UsageOptions, UsageSecureJsonData>({ fileName: DATASOURCES_FILE });
  const configPage = await gotoDataSourceConfigPage(ds.uid);
  // `editable: false`: Grafana's ButtonRow (public/app/features/datasources/components/ButtonRow.tsx) shows
  // "Test" instead of "Save & test", and nothing is saved, so plugin-e2e's saveAndTest (which waits for the
  // save) does not apply: click Test and wait for the daemon's /health through the proxy.
  await expect(page.getByRole('button', { name: 'Save & test' })).toHaveCount(0);
  const health = page.waitForResponse((response) => viaProxy(HEALTH_PATH).test(response.url()));
  await page.getByRole('button', { name: 'Test', exact: true }).click();
  expect((await health).status()).toBe(200);
  await expect(configPage).toHaveAlert('success', { hasText: 'OK:' });
});
