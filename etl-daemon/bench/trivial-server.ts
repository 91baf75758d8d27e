/**
 * The throughput baseline: a Fastify server that answers GET /api/v1/logins with a precomputed body (the
 * daemon's own answer to the measured query, read from BENCH_BODY_FILE), and /health. Whatever the daemon
 * does beyond this (auth, validation, counting, labels, metrics) is what the comparison measures.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const body = readFileSync(process.env.BENCH_BODY_FILE ?? '', 'utf8');
const app = Fastify();
app.get('/health', async () => ({ status: 'ok' }));
app.get('/api/v1/logins', async (_request, reply) =>
  reply.type('application/json; charset=utf-8').send(body)
);
app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' }).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
