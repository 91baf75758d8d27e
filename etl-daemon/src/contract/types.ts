import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type {
  healthAnswer,
  loginsAnswer,
  loginsParams,
  retentionAnswer,
  retentionParams,
  stickinessAnswer,
  stickinessParams,
  usersAnswer,
  usersParams,
} from './schemas';

/*
 * The types of parameters and answers, derived from their schemas: what Fastify validates and serialises is
 * what the code is typed with, written once.
 */

/** Parameters as a client may send them: defaults are the parsers' to apply (Fastify also fills them in). */
type Params<S extends JSONSchema> = FromSchema<S, { keepDefaultedPropertiesOptional: true }>;

/** /api/v1/logins parameters (after validation; POST's numbers made strings). */
export type LoginsParams = Params<typeof loginsParams>;
export type LoginsAnswer = FromSchema<typeof loginsAnswer>;
export type Bucket = LoginsAnswer['buckets'][number];

export type RetentionParams = Params<typeof retentionParams>;
export type RetentionAnswer = FromSchema<typeof retentionAnswer>;
export type Cohort = RetentionAnswer['cohorts'][number];

export type UsersParams = Params<typeof usersParams>;
export type UsersAnswer = FromSchema<typeof usersAnswer>;

export type HealthBody = FromSchema<typeof healthAnswer>;

export type StickinessParams = Params<typeof stickinessParams>;
export type StickinessAnswer = FromSchema<typeof stickinessAnswer>;
