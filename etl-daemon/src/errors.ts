/** Every catch boundary turns what it caught into an Error, keeping the original as `cause`. */
export function coerceError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value), { cause: value });
}

/** A setting (environment variable, CLI flag or preset) that is not valid: the message names it and what is accepted. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A client error: the parameter, the value and what is accepted. Answered with HTTP 400. */
export class QueryError extends Error {
  override name = 'QueryError';
  constructor(
    readonly parameter: string,
    readonly value: unknown,
    readonly accepted: string,
    message = `${parameter}: ${JSON.stringify(value)} is not accepted; expected ${accepted}`
  ) {
    super(message);
  }
}
