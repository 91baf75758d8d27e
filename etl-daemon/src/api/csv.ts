import type { FastifyReply } from 'fastify';

/** CSV when asked by `format=csv`, or by `Accept: text/csv` when no format is given. */
export function wantsCsv(format: string | undefined, accept: string | undefined): boolean {
  return format === 'csv' || (format === undefined && /\btext\/csv\b/.test(accept ?? ''));
}

/** Sends text as CSV, past the route's JSON response schema. */
export function sendCsv(reply: FastifyReply, text: string): FastifyReply {
  return reply
    .type('text/csv; charset=utf-8')
    .serializer((x) => x as string)
    .send(text);
}
