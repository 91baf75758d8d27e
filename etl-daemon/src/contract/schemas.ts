import type { JSONSchema } from 'json-schema-to-ts';
import { REQUEST_LIMITS } from '../core/limits';
import { AGGREGATE_NAMES, AGGREGATE_UNITS } from '../time/aggregate';
import { WEEK_STARTS } from '../time/buckets';
import {
  BREAKDOWN_DIMENSIONS,
  COHORT_UNITS,
  USER_STATUSES,
  RETENTION_MODES,
  SERIES_METRICS,
  STICKINESS_INTERVALS,
} from './metrics';

/*
 * The HTTP contract: every route's parameters and answers as JSON schemas. Fastify validates and serialises
 * with them, /docs publishes them, and the TypeScript types of parameters and answers are derived from them
 * (contract/types.ts). Limits and defaults come from core/limits.ts.
 */

const {
  periods,
  userRows,
  runs,
  series: seriesLimit,
  listItems,
  name: nameLength,
  instant: instantLength,
  zone,
  rangeDays,
} = REQUEST_LIMITS;

const instant = {
  description: 'ISO 8601 date or date-time (UTC unless it has an offset) or epoch milliseconds',
  type: 'string',
  maxLength: instantLength,
} as const;
/** `start` and `end`, with the default start the route applies (`rangeDays`); `what` says what is in range. */
const rangeParams = (days: number, what = '') =>
  ({
    start: { ...instant, description: `${instant.description}${what}; default end - ${days} days` },
    end: { ...instant, description: `${instant.description}${what}; default now` },
  }) as const;
const zoneName = (description: string) =>
  ({ type: 'string', maxLength: zone, default: 'UTC', description }) as const;
const stringOrList = (description: string, maxLength: number) =>
  ({
    description,
    anyOf: [
      { type: 'string', maxLength },
      { type: 'array', items: { type: 'string', maxLength }, maxItems: listItems },
    ],
  }) as const;

/** `source=`: which of the daemon's sources (USAGE_SOURCE) answers; the first by default. */
const sourceParam = {
  type: 'string',
  maxLength: nameLength,
  description: 'which source answers (USAGE_SOURCE, e.g. core4-logins or core4-requests); default the first',
} as const;

/** `role=`: people selected by their groups in sys.role (AND-ed with `user=`). */
const roleFilter = stringOrList(
  'only members of these sys.role groups (nested membership as core4 expands it); repeat for several',
  nameLength
);
/** `user=` and `role=`: who a counting route counts (query/people.ts). */
const peopleFilters = {
  user: stringOrList('only these users; repeat for several', nameLength),
  role: roleFilter,
} as const;

/** Present when the query filtered by role: the groups asked and when the membership was last read. */
const roleEcho = {
  roles: { type: 'array', items: { type: 'string' }, description: 'the role= groups, as asked' },
  membershipAsOf: {
    type: 'string',
    description: 'the membership of role= is the one read from sys.role by the run at this instant',
  },
} as const;

/**
 * `handler=`, `project=`, `host=`: requests selected by what they were (core4's `qual_name`, its first dotted
 * segment, the serving `hostname`); values of one OR-ed, the dimensions AND-ed with each other and the people.
 */
const requestFilters = {
  handler: stringOrList('only requests of these handlers (core4 qual_name); repeat for several', nameLength),
  project: stringOrList('only requests of these projects (the first segment of qual_name)', nameLength),
  host: stringOrList('only requests served by these hosts (hostname)', nameLength),
} as const;

/** Present when the query filtered requests: the handler=, project= and host= values, as asked. */
const requestEcho = {
  requests: {
    type: 'object',
    additionalProperties: false,
    description: 'the request filters, as asked: only requests matching all of them were counted',
    properties: Object.fromEntries(
      (['handler', 'project', 'host'] as const).map((d) => [d, { type: 'array', items: { type: 'string' } }])
    ) as Record<'handler' | 'project' | 'host', { type: 'array'; items: { type: 'string' } }>,
  },
} as const;

/** `breakdown=` and `limit=`: one series per value of a dimension, the largest first. */
const breakdownParams = {
  breakdown: {
    type: 'string',
    enum: BREAKDOWN_DIMENSIONS,
    description:
      'one series per value (handler, project or host of the requests; role: per core4 group of sys.role), ' +
      'ordered by distinct users over the range; ' +
      "each series is what the whole would answer if sys.log held only that value's lines",
  },
  limit: {
    type: 'integer',
    minimum: seriesLimit.min,
    maximum: seriesLimit.max,
    description: `with breakdown: series kept (default ${seriesLimit.default}); the other values are merged into one series with other: true`,
  },
} as const;

/** A breakdown series' own fields: the value, and `other` for the values past the limit merged. */
const seriesFields = {
  key: {
    type: 'string',
    description: 'the value (a handler, project, host or group); "other" for the merged rest',
  },
  other: { type: 'boolean', description: 'the values past the limit, their users counted once' },
  users: { type: 'integer', description: 'distinct users of the series over the range' },
} as const;
const seriesDescription =
  'with breakdown: one per value, by distinct users over the range (then key); other last';
const breakdownEcho = { type: 'string', enum: BREAKDOWN_DIMENSIONS } as const;

/** A breakdown's `series`: each the series' own fields and its part of the answer (`buckets`, `cohorts`). */
function seriesOf<const K extends string, const S extends JSONSchema>(part: K, items: S) {
  return {
    type: 'array',
    description: seriesDescription,
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['key', 'users', part],
      properties: {
        ...seriesFields,
        ...({ [part]: { type: 'array', items } } as { [P in K]: { type: 'array'; items: S } }),
      },
    },
  } as const;
}

const weekStart = {
  type: 'string',
  enum: WEEK_STARTS,
  default: 'monday',
  description:
    'the day weeks start on (weekly buckets, cohorts and intervals); monday is ISO 8601, sunday PostHog',
} as const;

/** GET /api/v1/logins query string (the POST body is the same object). Unknown parameters are rejected. */
export const loginsParams = {
  type: 'object',
  additionalProperties: false,
  properties: {
    source: sourceParam,
    ...rangeParams(rangeDays.logins),
    aggregate: { type: 'string', enum: AGGREGATE_NAMES, default: 'w', description: 'bucket size' },
    tz: zoneName('IANA time zone of the calendar buckets'),
    metric: stringOrList(
      `${SERIES_METRICS.join(', ')}; repeat or comma-separate for several (default users). active_Nd: users ` +
        'active in the N calendar days ending where the bucket ends; dau_mau: DAU / active_30d averaged over ' +
        "the bucket's days (stickiness: its deprecated name); returning / resurrecting / dormant: lifecycle against the whole bucket before " +
        '(dormant negative)',
      nameLength
    ),
    ...peopleFilters,
    ...requestFilters,
    ...breakdownParams,
    weekStart,
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
    users: { type: 'integer', description: 'distinct users in the bucket (within the range)' },
    logins: { type: 'integer' },
    new_users: { type: 'integer', description: 'users whose first login ever is in the bucket' },
    active_7d: {
      type: 'integer',
      description: 'distinct users in the 7 calendar days ending at the bucket end',
    },
    active_28d: { type: 'integer' },
    active_30d: { type: 'integer' },
    dau_mau: {
      type: 'number',
      description: 'DAU / active_30d, averaged over the days of the bucket; 0 to 1',
    },
    stickiness: {
      type: 'number',
      description: "deprecated name of dau_mau (the same value); see the answer's deprecations",
    },
    returning: { type: 'integer', description: 'active in the bucket and in the whole bucket before' },
    resurrecting: { type: 'integer', description: 'active, not in the bucket before, seen before that' },
    dormant: {
      type: 'integer',
      description: 'minus the users active in the bucket before and not in this one',
    },
  },
  required: ['start', 'end', 'partial'],
  additionalProperties: false,
} as const;

export const loginsAnswer = {
  type: 'object',
  properties: {
    start: { type: 'string' },
    end: { type: 'string' },
    aggregate: { type: 'string', enum: AGGREGATE_UNITS },
    tz: { type: 'string' },
    weekStart: { type: 'string', enum: WEEK_STARTS },
    metrics: { type: 'array', items: { type: 'string', enum: SERIES_METRICS } },
    deprecations: {
      type: 'array',
      items: { type: 'string' },
      description: 'present when the query used a deprecated name: what it answers and what to ask instead',
    },
    users: { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'null' }] },
    ...roleEcho,
    ...requestEcho,
    dataUntil: {
      anyOf: [{ type: 'string' }, { type: 'null' }],
      description: 'home.login is complete up to here',
    },
    buckets: { type: 'array', items: bucket },
    breakdown: breakdownEcho,
    series: seriesOf('buckets', bucket),
  },
  required: ['start', 'end', 'aggregate', 'tz', 'weekStart', 'metrics', 'users', 'dataUntil', 'buckets'],
  additionalProperties: false,
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
  required: ['statusCode', 'error', 'message'],
  additionalProperties: false,
} as const;

export const usersParams = {
  type: 'object',
  additionalProperties: false,
  properties: {
    source: sourceParam,
    ...rangeParams(rangeDays.users),
    search: { type: 'string', maxLength: nameLength, description: 'case-insensitive substring' },
    limit: { type: 'integer', minimum: userRows.min, maximum: userRows.max, default: userRows.default },
    details: {
      type: 'boolean',
      default: false,
      description: 'rows {name, firstSeen, lastSeen, logins, activeDays} in the range instead of names',
    },
    sort: {
      type: 'string',
      enum: ['lastSeen', 'firstSeen', 'logins', 'activeDays', 'name'],
      default: 'lastSeen',
    },
    order: { type: 'string', enum: ['desc', 'asc'], default: 'desc' },
    tz: zoneName('IANA zone of the days of activeDays, and of the calendar bucket of `bucket`'),
    status: {
      type: 'string',
      enum: USER_STATUSES,
      description:
        'the people of this lifecycle status in the bucket holding `bucket` (cut at `end`), with their last ' +
        'login: new (new_users), returning, resurrecting, dormant, as /api/v1/logins counts them; never: ' +
        'the active user roles of sys.role with no activity from start to end',
    },
    bucket: { ...instant, description: 'with status: an instant of the bucket (its start, say)' },
    role: roleFilter,
    ...requestFilters,
    aggregate: {
      type: 'string',
      enum: AGGREGATE_NAMES,
      default: 'w',
      description: 'with status: bucket size',
    },
    weekStart,
  },
} as const;

export const runBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    source: sourceParam,
    start: { type: 'string', maxLength: instantLength },
    end: { type: 'string', maxLength: instantLength },
    reset: { type: 'boolean', default: false },
  },
} as const;

export const runsParams = {
  type: 'object',
  additionalProperties: false,
  properties: {
    source: sourceParam,
    ...rangeParams(rangeDays.runs, ': of the runs finished in range'),
    limit: { type: 'integer', minimum: runs.min, maximum: runs.max, default: runs.default },
  },
} as const;

/** Every error answer: 400 also names the parameter and what is accepted. */
const failure = (description: string) => ({ ...errorAnswer, description }) as const;

/** The answers every data route may give besides its 200, so /docs lists them. */
export const dataErrors = {
  400: failure('a parameter is not accepted: `parameter` names it, `accepted` says what is'),
  401: failure('tokens are configured and the request has none'),
  403: failure('the token does not grant this route'),
  429: failure('the per-client rate limit (USAGE_RATE_LIMIT) is exceeded; Retry-After says when to retry'),
  503: failure('the index is loading, or the range is being rewritten; Retry-After says when to retry'),
} as const;

const nullableText = (description: string) =>
  ({ anyOf: [{ type: 'string' }, { type: 'null' }], description }) as const;

const userRow = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'firstSeen', 'lastSeen', 'logins', 'activeDays'],
  properties: {
    name: { type: 'string' },
    firstSeen: { type: 'string', description: 'first login in the range, ISO 8601 UTC' },
    lastSeen: { type: 'string', description: 'last login in the range, ISO 8601 UTC' },
    logins: { type: 'integer', description: 'logins in the range' },
    activeDays: { type: 'integer', description: 'days of tz in the range with a login' },
    realname: nullableText('from sys.role, when roles are read'),
  },
} as const;

const statusRow = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'lastSeen'],
  properties: {
    name: { type: 'string' },
    lastSeen: nullableText(
      'last login in the bucket or the one before (dormant: the one before), ISO 8601 UTC; null for never'
    ),
    realname: nullableText('from sys.role, when roles are read'),
    created: nullableText('when the role was created, from sys.role'),
    lastLogin: nullableText("the role's last password login as sys.role records it (last_login)"),
  },
} as const;

export const usersAnswer = {
  type: 'object',
  additionalProperties: false,
  properties: {
    users: {
      anyOf: [
        { type: 'array', items: { type: 'string' }, description: 'names, sorted (without details)' },
        { type: 'array', items: userRow, description: 'rows, sorted by `sort` (details=true)' },
        { type: 'array', items: statusRow, description: 'rows sorted by name (status)' },
      ],
    },
    truncated: { type: 'boolean' },
    status: { type: 'string', enum: USER_STATUSES },
    count: {
      type: 'integer',
      description: 'with status: how many people have it (the lifecycle metric; never: of sys.role)',
    },
    membershipAsOf: { type: 'string', description: 'with status=never or role=: when sys.role was read' },
    roles: { type: 'array', items: { type: 'string' }, description: 'the role= groups, as asked' },
    ...requestEcho,
    bucket: {
      type: 'object',
      properties: { start: { type: 'string' }, end: { type: 'string' } },
      required: ['start', 'end'],
      description: 'with a lifecycle status: the bucket, cut at end',
    },
  },
  required: ['users', 'truncated'],
} as const;

const check = {
  type: 'object',
  properties: { ok: { type: 'boolean' }, message: { type: 'string' } },
  required: ['ok', 'message'],
} as const;

/** /ready: whether this process can answer (its index is loaded), whatever MongoDB's or the job's state. */
export const readyAnswer = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ready', 'loading'] },
  },
  required: ['status'],
} as const;

/** /health: the whole report to a caller with a token (or without tokens configured), else the verdict. */
export const healthAnswer = {
  anyOf: [
    {
      type: 'object',
      description: 'with a valid token, or when no token is configured',
      properties: {
        status: { type: 'string', enum: ['ok', 'failing', 'loading'] },
        checks: { type: 'object', additionalProperties: check },
        dataUntil: { anyOf: [{ type: 'string' }, { type: 'null' }] },
      },
      required: ['status', 'checks', 'dataUntil'],
    },
    {
      type: 'object',
      description: 'anonymous callers: the verdict and the names of the failing checks',
      properties: {
        status: { type: 'string', enum: ['ok', 'failing', 'loading'] },
        failing: { type: 'array', items: { type: 'string' } },
      },
      required: ['status', 'failing'],
    },
  ],
} as const;

export const jobAnswer = {
  type: 'object',
  description: 'the job document (home.login.job): state, progress, checkpoint, dataUntil, lease, last run',
  additionalProperties: true,
  properties: { state: { type: 'string', enum: ['idle', 'running', 'failed'] } },
} as const;

export const runsAnswer = {
  type: 'object',
  properties: {
    runs: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
  required: ['runs'],
} as const;

export const runAccepted = {
  type: 'object',
  description: 'the run started; follow it on /api/v1/job',
  properties: { accepted: { type: 'boolean' }, runId: { type: 'string' } },
  required: ['accepted', 'runId'],
} as const;

export const runConflict = {
  type: 'object',
  description: 'a run is in progress (this process or another holding the lease)',
  properties: {
    ...errorAnswer.properties,
    lease: { anyOf: [{ type: 'object', additionalProperties: true }, { type: 'null' }] },
  },
} as const;

/** GET /api/v1/retention query string. */
export const retentionParams = {
  type: 'object',
  additionalProperties: false,
  properties: {
    source: sourceParam,
    ...rangeParams(rangeDays.retention),
    cohort: { type: 'string', enum: COHORT_UNITS, default: 'week', description: 'cohort period' },
    tz: zoneName('IANA time zone of the periods'),
    periods: {
      type: 'integer',
      minimum: periods.min,
      maximum: periods.max,
      default: periods.default,
      description: 'periods per cohort (n0 … n(N-1))',
    },
    mode: {
      type: 'string',
      enum: RETENTION_MODES,
      default: 'on',
      description:
        "on: retained[k] counts the cohort's users active in period k; on_or_after: active in period k or any " +
        "later one up to end (PostHog's cumulative retention, Amplitude's unbounded)",
    },
    weekStart,
    ...peopleFilters,
    ...requestFilters,
    ...breakdownParams,
    format: { type: 'string', enum: ['json', 'csv'], description: 'csv is also chosen by Accept: text/csv' },
  },
} as const;

const cohort = {
  type: 'object',
  additionalProperties: false,
  required: ['start', 'end', 'partial', 'size', 'retained'],
  properties: {
    start: { type: 'string', description: "the cohort's period start, ISO 8601 in tz" },
    end: { type: 'string' },
    partial: { type: 'boolean', description: 'the range cuts this period' },
    size: { type: 'integer', description: 'users whose first login ever falls in the period' },
    retained: {
      type: 'array',
      items: { type: 'integer' },
      description:
        'retained[k]: of them, active in period c + k (mode on) or in c + k or later (on_or_after); only ' +
        'periods starting before end',
    },
  },
} as const;

export const retentionAnswer = {
  type: 'object',
  additionalProperties: false,
  required: ['start', 'end', 'cohort', 'tz', 'weekStart', 'mode', 'periods', 'users', 'dataUntil', 'cohorts'],
  properties: {
    start: { type: 'string' },
    end: { type: 'string' },
    cohort: { type: 'string', enum: COHORT_UNITS },
    tz: { type: 'string' },
    weekStart: { type: 'string', enum: WEEK_STARTS },
    mode: { type: 'string', enum: RETENTION_MODES },
    periods: { type: 'integer' },
    users: { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'null' }] },
    ...roleEcho,
    ...requestEcho,
    dataUntil: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    cohorts: { type: 'array', items: cohort },
    breakdown: breakdownEcho,
    series: seriesOf('cohorts', cohort),
  },
} as const;

/** GET /api/v1/stickiness query string. */
export const stickinessParams = {
  type: 'object',
  additionalProperties: false,
  properties: {
    source: sourceParam,
    ...rangeParams(rangeDays.stickiness),
    interval: {
      type: 'string',
      enum: STICKINESS_INTERVALS,
      default: 'day',
      description: 'the calendar intervals a user is counted active in (cut to the range)',
    },
    cumulative: {
      type: 'boolean',
      default: false,
      description: 'counts[n]: users active in n or more intervals instead of exactly n',
    },
    tz: zoneName('IANA time zone of the intervals'),
    weekStart,
    ...peopleFilters,
    ...requestFilters,
    format: { type: 'string', enum: ['json', 'csv'], description: 'csv is also chosen by Accept: text/csv' },
  },
} as const;

export const stickinessAnswer = {
  type: 'object',
  additionalProperties: false,
  required: [
    'start',
    'end',
    'interval',
    'tz',
    'weekStart',
    'cumulative',
    'intervals',
    'users',
    'dataUntil',
    'counts',
  ],
  properties: {
    start: { type: 'string' },
    end: { type: 'string' },
    interval: { type: 'string', enum: STICKINESS_INTERVALS },
    tz: { type: 'string' },
    weekStart: { type: 'string', enum: WEEK_STARTS },
    cumulative: { type: 'boolean' },
    intervals: { type: 'integer', description: 'calendar intervals the range overlaps (N)' },
    users: { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'null' }] },
    ...roleEcho,
    ...requestEcho,
    dataUntil: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    counts: {
      type: 'array',
      items: { type: 'integer' },
      description:
        'counts[n], n = 0 … N: users active in exactly n of the intervals (n or more when cumulative); ' +
        'counts[0]: users seen before end who were not active in the range',
    },
  },
} as const;

/** GET /api/v1/roles: core4's groups as the last run read them from sys.role. */
export const rolesAnswer = {
  type: 'object',
  additionalProperties: false,
  required: ['available', 'source', 'groups'],
  properties: {
    available: { type: 'boolean', description: 'false: no membership has been stored (see reason)' },
    reason: { type: 'string', description: 'why roles are not available' },
    source: nullableText('the sys.role collection read (USAGE_ROLES), null when off'),
    readAt: { type: 'string', description: 'the run that read this membership (it changed then)' },
    membershipAsOf: { type: 'string', description: 'the latest run that found sys.role unchanged' },
    users: { type: 'integer', description: 'user roles (with email and password)' },
    groups: {
      type: 'array',
      description: 'every group, sorted by name',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'realname', 'active', 'members', 'activeMembers'],
        properties: {
          name: { type: 'string' },
          realname: nullableText('from sys.role'),
          active: { type: 'boolean', description: 'inactive groups hold nobody (core4 skips them)' },
          members: { type: 'integer', description: 'user roles in it, nested groups included' },
          activeMembers: { type: 'integer', description: 'of those, active user roles' },
        },
      },
    },
  },
} as const;

/** GET /api/v1/dimensions/:dimension: the values seen in a range, for Grafana variables. */
export const dimensionsPath = {
  type: 'object',
  additionalProperties: false,
  required: ['dimension'],
  properties: { dimension: { type: 'string', enum: BREAKDOWN_DIMENSIONS } },
} as const;

export const dimensionsParams = {
  type: 'object',
  additionalProperties: false,
  properties: {
    source: sourceParam,
    ...rangeParams(rangeDays.dimensions),
    ...peopleFilters,
    ...requestFilters,
  },
} as const;

export const dimensionsAnswer = {
  type: 'object',
  additionalProperties: false,
  required: ['dimension', 'start', 'end', 'values'],
  properties: {
    dimension: breakdownEcho,
    start: { type: 'string' },
    end: { type: 'string' },
    membershipAsOf: { type: 'string', description: 'role: when the membership was read from sys.role' },
    values: {
      type: 'array',
      description: 'values with activity in the range, by distinct users (descending, then key)',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'users'],
        properties: {
          key: { type: 'string' },
          users: { type: 'integer' },
          logins: {
            type: 'integer',
            description: 'handler, project, host: the requests (logins) of the range with this value',
          },
          title: {
            type: 'string',
            description: "handler: its title in core4's sys.handler, where registered",
          },
        },
      },
    },
  },
} as const;

/** GET /api/v1/roles and GET /api/v1/job: which source. */
export const sourceOnlyParams = {
  type: 'object',
  additionalProperties: false,
  properties: { source: sourceParam },
} as const;

/** GET /api/v1/sources: the daemon's sources, the default first. */
export const sourcesAnswer = {
  type: 'object',
  additionalProperties: false,
  required: ['sources'],
  properties: {
    sources: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'default', 'target'],
        properties: {
          name: { type: 'string', description: 'the preset (or custom)' },
          default: { type: 'boolean', description: 'answers queries without source=' },
          target: { type: 'string', description: 'its home.login collection' },
        },
      },
    },
  },
} as const;
