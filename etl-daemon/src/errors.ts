/** Every catch boundary turns what it caught into an Error, keeping the original as `cause`. */
export function coerceError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value), { cause: value });
}

/** A setting (environment variable, CLI flag or preset) that is not valid: the message names it and what is accepted. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
