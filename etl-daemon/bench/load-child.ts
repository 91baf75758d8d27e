/**
 * The load generator, run as its own process by bench/load.ts: autocannon at N connections for S seconds.
 * With `--vary-end`, every request moves `end` by one millisecond, as a dashboard with a relative range
 * ("last year" to now) does on every refresh: no two requests are the same query.
 */
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      connections: { type: 'string', default: '32' },
      seconds: { type: 'string', default: '10' },
      'vary-end': { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  const url = new URL(positionals[0] ?? '');
  const end = Number(url.searchParams.get('end'));
  let n = 0;
  const result = await autocannon({
    url: url.origin,
    connections: Number(values.connections),
    duration: Number(values.seconds),
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => {
          const query = new URLSearchParams(url.search);
          if (values['vary-end']) query.set('end', String(end + (n += 1)));
          return { ...request, path: `${url.pathname}?${query.toString()}` };
        },
      },
    ],
  });
  process.stdout.write(
    JSON.stringify({
      requestsPerSecond: result.requests.average,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      non2xx: result.non2xx,
    })
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
