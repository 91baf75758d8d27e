/** What /api/v1/logins can count per bucket: the index's own counts, then engagement (query/engagement.ts). */
export const COUNT_METRICS = ['users', 'logins', 'new_users'] as const;
export type Metric = (typeof COUNT_METRICS)[number];

/**
 * Engagement per bucket, beyond distinct users (definitions in the README): users active in the trailing 7,
 * 28 or 30 calendar days of the zone, DAU / 30-day actives, and the lifecycle against the bucket before.
 */
export const ENGAGEMENT_METRICS = [
  'active_7d',
  'active_28d',
  'active_30d',
  'stickiness',
  'returning',
  'resurrecting',
  'dormant',
] as const;
export type EngagementMetric = (typeof ENGAGEMENT_METRICS)[number];

export const SERIES_METRICS = [...COUNT_METRICS, ...ENGAGEMENT_METRICS] as const;
export type SeriesMetric = (typeof SERIES_METRICS)[number];

export function isCountMetric(name: string): name is Metric {
  return (COUNT_METRICS as readonly string[]).includes(name);
}

export function isEngagementMetric(name: string): name is EngagementMetric {
  return (ENGAGEMENT_METRICS as readonly string[]).includes(name);
}

/** Retention's cohort periods. */
export const COHORT_UNITS = ['day', 'week', 'month'] as const;
export type CohortUnit = (typeof COHORT_UNITS)[number];
