import { spawn } from 'node:child_process';
import path from 'node:path';

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

/**
 * Load from a separate process (bench/load-child.ts, autocannon): the generator does not share the
 * measured server's event loop. `varyEnd`: every request a different query (a relative range's refreshes).
 */
export async function loadFromOtherProcess(
  url: string,
  options: { connections?: number; seconds?: number; varyEnd?: boolean } = {}
): Promise<LoadResult> {
  const args = [
    '-r',
    'tsx/cjs',
    path.join(__dirname, 'load-child.ts'),
    '--connections',
    String(options.connections ?? 32),
    '--seconds',
    String(options.seconds ?? 10),
    ...(options.varyEnd ? ['--vary-end'] : []),
    url,
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`bench: the load generator exited with ${code}`);
  return JSON.parse(out) as LoadResult;
}
