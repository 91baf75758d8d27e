/** What /api/v1/logins can count per bucket: the index's own counts, then engagement (query/engagement.ts). */
export const COUNT_METRICS = ['users', 'logins', 'new_users'] as const;
export type Metric = (typeof COUNT_METRICS)[number];

/**
 * Engagement per bucket, beyond distinct users (definitions in the README): users active in the trailing 7,
 * 28 or 30 calendar days of the zone, DAU / 30-day actives, and the lifecycle against the bucket before.
 * `stickiness` is the ratio's old name (DEPRECATED_METRICS).
 */
export const ENGAGEMENT_METRICS = [
  'active_7d',
  'active_28d',
  'active_30d',
  'dau_mau',
  'stickiness',
  'returning',
  'resurrecting',
  'dormant',
] as const;
export type EngagementMetric = (typeof ENGAGEMENT_METRICS)[number];

export const SERIES_METRICS = [...COUNT_METRICS, ...ENGAGEMENT_METRICS] as const;
export type SeriesMetric = (typeof SERIES_METRICS)[number];

/**
 * Metric names kept answering what they answered, with a notice in the answer naming what to ask instead:
 * never silently redefined.
 */
export const DEPRECATED_METRICS: Partial<Record<SeriesMetric, string>> = {
  stickiness:
    "metric 'stickiness' is DAU / active_30d and is renamed 'dau_mau' (same values); analytics tools " +
    '(PostHog, Amplitude) call stickiness the number of days a user was active, which /api/v1/stickiness ' +
    "answers. 'stickiness' keeps answering the ratio here.",
};

export function isCountMetric(name: string): name is Metric {
  return (COUNT_METRICS as readonly string[]).includes(name);
}

export function isEngagementMetric(name: string): name is EngagementMetric {
  return (ENGAGEMENT_METRICS as readonly string[]).includes(name);
}

/** Retention's cohort periods. */
export const COHORT_UNITS = ['day', 'week', 'month'] as const;
export type CohortUnit = (typeof COHORT_UNITS)[number];

/** Retention's returns: in period k exactly, or in period k or any later one (PostHog's "cumulative"). */
export const RETENTION_MODES = ['on', 'on_or_after'] as const;
export type RetentionMode = (typeof RETENTION_MODES)[number];

/** The intervals stickiness counts a user active in. */
export const STICKINESS_INTERVALS = ['hour', 'day', 'week', 'month'] as const;
export type StickinessInterval = (typeof STICKINESS_INTERVALS)[number];

/** The lifecycle statuses /api/v1/users?status lists; `new` is the bucket's new_users. */
export const LIFECYCLE_STATUSES = ['new', 'returning', 'resurrecting', 'dormant'] as const;
export type LifecycleStatus = (typeof LIFECYCLE_STATUSES)[number];
/** What /api/v1/users?status lists: a lifecycle status in a bucket, or `never`: user roles not seen in a range. */
export const USER_STATUSES = [...LIFECYCLE_STATUSES, 'never'] as const;

/** What a breakdown splits the answer by: a request dimension, or core4's groups (sys.role). */
/** What a request line says beside who made it: its handler, the handler's project, the serving host. */
export const REQUEST_DIMENSIONS = ['handler', 'project', 'host'] as const;
export type RequestDimension = (typeof REQUEST_DIMENSIONS)[number];

export const BREAKDOWN_DIMENSIONS = [...REQUEST_DIMENSIONS, 'role'] as const;
export type BreakdownDimension = (typeof BREAKDOWN_DIMENSIONS)[number];
