import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { QueryError } from '../errors';
import { errorAnswer } from './error-answer';

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

function valueAt(data: unknown, path: string): unknown {
  let value = data;
  for (const key of path.split('/').filter((k) => k !== '')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Turns the first schema violation into "parameter, value, what is accepted". */
function describeValidation(errors: AjvError[], data: unknown, schemaProperties: string[]): QueryError {
  const unknown = errors.find((e) => e.keyword === 'additionalProperties');
  if (unknown) {
    const name = String(unknown.params.additionalProperty);
    const names = schemaProperties.join(', ');
    return new QueryError(
      name,
      valueAt(data, name),
      `one of the parameters ${names}`,
      `unknown parameter '${name}'; accepted: ${names}`
    );
  }
  const error = errors.find((e) => e.keyword !== 'anyOf') ?? errors[0];
  const path = error?.instancePath ?? '';
  const name = path.split('/').filter((k) => k !== '')[0] ?? 'request';
  const accepted =
    error?.keyword === 'enum'
      ? `one of ${(error.params.allowedValues as string[]).join(', ')}`
      : (error?.message ?? 'a valid value');
  return new QueryError(name, valueAt(data, path), accepted);
}

/**
 * One error shape for the whole API (errorAnswer): a schema violation becomes the same 400 as a parser's,
 * naming the parameter, the value and what is accepted.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const answer = errorAnswer(error.validation ? validationError(error, request) : error);
    if (answer.log) request.log.error({ err: error }, 'request failed');
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  });
}

function validationError(error: FastifyError, request: FastifyRequest): QueryError {
  const body = error.validationContext === 'body';
  const schema = (body ? request.routeOptions.schema?.body : request.routeOptions.schema?.querystring) as
    { properties?: Record<string, unknown> } | undefined;
  return describeValidation(
    error.validation ?? [],
    body ? request.body : request.query,
    Object.keys(schema?.properties ?? {})
  );
}
