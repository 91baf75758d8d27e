/** `core4-usage serve` as a real process, for tests of what happens between processes and at shutdown. */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

const CLI = path.resolve(__dirname, '../bin/core4-usage.js');

export interface ServeProcess {
  child: ChildProcessWithoutNullStreams;
  base: string;
  log(): string;
  /** Resolves when the log has a line containing `text` (JSON lines: a `"msg":"…"` fragment works). */
  waitForLog(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then the exit code and how long the process took to exit. */
  terminate(): Promise<{ code: number | null; ms: number }>;
  kill(): Promise<void>;
}

/** The address `serve` logs once it listens (`daemon.ts`: "serving http://host:port (widget …"). */
export function servingAddress(log: string): string | undefined {
  return /"msg":"serving (http:\/\/[^\s"]+) /.exec(log)?.[1];
}

/**
 * Starts `serve` with these variables (and PATH); resolves once it listens. Without PORT it binds port 0
 * and the address is read from its log: a port picked here could be taken before the child binds it (the
 * kernel hands ports 32768-60999 to outgoing connections, the tests' MongoDB clients among them).
 */
export async function startServe(env: Record<string, string>): Promise<ServeProcess> {
  const port = env.PORT ?? '0';
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env, PORT: port },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = once(child, 'exit');
  const waitForLog = async (text: string | RegExp, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    const found = () => (typeof text === 'string' ? log.includes(text) : text.test(log));
    while (!found()) {
      if (child.exitCode !== null)
        throw new Error(`serve exited (${child.exitCode}) before logging ${String(text)}:\n${log}`);
      if (Date.now() > deadline)
        throw new Error(`serve did not log ${String(text)} within ${timeoutMs} ms:\n${log}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  await waitForLog('"msg":"serving ').catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  const base = servingAddress(log);
  if (base === undefined) throw new Error(`serve logged no address:\n${log}`);
  return {
    child,
    base,
    log: () => log,
    waitForLog,
    async terminate() {
      const started = Date.now();
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      return { code, ms: Date.now() - started };
    },
    async kill() {
      if (child.exitCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
