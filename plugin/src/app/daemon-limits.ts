/**
 * The request limits the plugin must respect, read from the daemon's OpenAPI document (`/openapi.json`,
 * generated from the schemas that validate every request), so that they are defined once, in the daemon.
 */
export interface DaemonLimits {
  /** Rows of /api/v1/users. */
  userRows: { max: number };
  /** Retention periods per cohort. */
  periods: { min: number; max: number; default: number };
}

interface Parameter {
  name?: string;
  in?: string;
  schema?: { minimum?: number; maximum?: number; default?: number };
}

type OpenApi = { paths?: Record<string, { get?: { parameters?: Parameter[] } }> };

function parameter(doc: OpenApi, path: string, name: string): Parameter['schema'] {
  return doc.paths?.[path]?.get?.parameters?.find((p) => p.name === name && p.in === 'query')?.schema;
}

/** The limits an OpenAPI document states; throws naming what it lacks (an older or a foreign daemon). */
export function limitsFromOpenApi(doc: unknown): DaemonLimits {
  const api = (doc ?? {}) as OpenApi;
  const rows = parameter(api, '/api/v1/users', 'limit');
  const periods = parameter(api, '/api/v1/retention', 'periods');
  if (rows?.maximum === undefined || periods?.maximum === undefined) {
    throw new Error('the daemon does not publish its limits in /openapi.json: is the URL a core4-usage daemon?');
  }
  return {
    userRows: { max: rows.maximum },
    periods: { min: periods.minimum ?? 1, max: periods.maximum, default: periods.default ?? periods.minimum ?? 1 },
  };
}
