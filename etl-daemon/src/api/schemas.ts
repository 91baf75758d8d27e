import { AGGREGATE_NAMES } from '../time/aggregate';
import { METRICS } from '../query/login-index';

const instant = {
  description: 'ISO 8601 date or date-time (UTC unless it has an offset) or epoch milliseconds',
  type: 'string',
  maxLength: 40,
};
const stringOrList = (description: string, maxLength: number) => ({
  description,
  anyOf: [
    { type: 'string', maxLength },
    { type: 'array', items: { type: 'string', maxLength }, maxItems: 1000 },
  ],
});

/** GET /api/v1/logins query string (the POST body is the same object). Unknown parameters are rejected. */
export const loginsParams = {
  type: 'object',
  additionalProperties: false,
  properties: {
    start: { ...instant, description: `${instant.description}; default end - 90 days` },
    end: { ...instant, description: `${instant.description}; default now` },
    aggregate: { type: 'string', enum: AGGREGATE_NAMES, default: 'w', description: 'bucket size' },
    tz: {
      type: 'string',
      maxLength: 64,
      default: 'UTC',
      description: 'IANA time zone of the calendar buckets',
    },
    metric: stringOrList(`${METRICS.join(', ')}; repeat or comma-separate for several (default users)`, 64),
    user: stringOrList('only these users; repeat for several', 256),
    format: { type: 'string', enum: ['json', 'csv'], description: 'csv is also chosen by Accept: text/csv' },
  },
} as const;

const bucket = {
  type: 'object',
  properties: {
    start: { type: 'string', description: 'bucket start, ISO 8601 in tz' },
    end: { type: 'string' },
    partial: {
      type: 'boolean',
      description: 'the range cuts this bucket; only logins inside the range count',
    },
    users: { type: 'integer' },
    logins: { type: 'integer' },
    new_users: { type: 'integer' },
  },
  required: ['start', 'end', 'partial'],
} as const;

export const loginsAnswer = {
  type: 'object',
  properties: {
    start: { type: 'string' },
    end: { type: 'string' },
    aggregate: { type: 'string' },
    tz: { type: 'string' },
    metrics: { type: 'array', items: { type: 'string' } },
    users: { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'null' }] },
    dataUntil: {
      anyOf: [{ type: 'string' }, { type: 'null' }],
      description: 'home.login is complete up to here',
    },
    buckets: { type: 'array', items: bucket },
  },
} as const;

export const errorAnswer = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
    parameter: { type: 'string' },
    accepted: { type: 'string' },
  },
} as const;

export const usersParams = {
  type: 'object',
  additionalProperties: false,
  properties: {
    start: instant,
    end: instant,
    search: { type: 'string', maxLength: 256, description: 'case-insensitive substring' },
    limit: { type: 'integer', minimum: 1, maximum: 10000, default: 100 },
  },
} as const;

export const runBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    start: { type: 'string', maxLength: 40 },
    end: { type: 'string', maxLength: 40 },
    reset: { type: 'boolean', default: false },
  },
} as const;

export const runsParams = {
  type: 'object',
  additionalProperties: false,
  properties: {
    start: { ...instant, description: 'runs finished from here; default end - 30 days' },
    end: { ...instant, description: 'runs finished up to here; default now' },
    limit: { type: 'integer', minimum: 1, maximum: 10000, default: 1000 },
  },
} as const;
