/**
 * What the specs expect: the demo stack at the repository root (`docker compose up`), whose data source is
 * provisioned read-only by provisioning/datasources/datasources.yaml (`editable: false`, uid core4-usage).
 * plugin-e2e reads that file with `$VARS` from this process's environment: export CORE4_USAGE_URL (the
 * daemon's URL as Grafana reaches it, http://etl-daemon:8080 in the stack) and USAGE_READ_TOKEN from .env.
 */
export const DATASOURCES_FILE = 'datasources.yaml';
