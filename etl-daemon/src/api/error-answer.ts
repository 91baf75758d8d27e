import { QueryError } from '../errors';
import { RangeArgumentError } from '../job/resolve-range';
import { IndexBusyError, IndexLoadingError } from '../query/index-loader';

/** How the API answers an error: status, body, headers, and whether the daemon log must carry it. */
export interface ErrorAnswer {
  status: number;
  body: { statusCode: number; error: string; message: string; parameter?: string; accepted?: string };
  headers: Record<string, string>;
  log: boolean;
}

/**
 * The answer to an error, by its class, never by its message: a client error names the parameter, the value
 * and what is accepted (400); "not now" says when to retry (503); a 4xx Fastify raised keeps its message;
 * anything else is a masked 500 that the daemon logs.
 */
export function errorAnswer(error: unknown): ErrorAnswer {
  if (error instanceof QueryError) return badRequest(error.message, error.parameter, error.accepted);
  if (error instanceof RangeArgumentError)
    return badRequest(error.message, error.parameter, 'a UTC day not after today, end not before start');
  if (error instanceof IndexLoadingError) return unavailable(error.message, 5);
  if (error instanceof IndexBusyError) return unavailable(error.message, 1);
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && error instanceof Error) {
    return {
      status,
      body: { statusCode: status, error: error.name, message: error.message },
      headers: {},
      log: false,
    };
  }
  return {
    status: 500,
    body: { statusCode: 500, error: 'Internal Server Error', message: 'internal error; see the daemon log' },
    headers: {},
    log: true,
  };
}

function badRequest(message: string, parameter: string, accepted: string): ErrorAnswer {
  return {
    status: 400,
    body: { statusCode: 400, error: 'Bad Request', message, parameter, accepted },
    headers: {},
    log: false,
  };
}

function unavailable(message: string, retryAfterS: number): ErrorAnswer {
  return {
    status: 503,
    body: { statusCode: 503, error: 'Service Unavailable', message },
    headers: { 'retry-after': String(retryAfterS) },
    log: false,
  };
}
