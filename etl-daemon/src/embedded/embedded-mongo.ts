import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';

export type EmbeddedKind = 'mongod' | 'congodb';

/** A MongoDB server this process started; `stop` ends it. */
export interface EmbeddedMongo {
  uri: string;
  kind: EmbeddedKind;
  /** Why a real mongod was not used, when it was not. */
  note?: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  prefer: 'auto' | EmbeddedKind;
  /** Heap for the CongoDB child, which keeps every document in memory. */
  congoHeapMb?: number;
  mongodTimeoutMs?: number;
}

const CONGO_SCRIPT = path.resolve(__dirname, '../../scripts/congo-server.mjs');

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('embedded: no free port');
  return address.port;
}

async function startMongod(timeoutMs: number): Promise<EmbeddedMongo> {
  const { MongoMemoryServer } = await import('mongodb-memory-server');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no mongod within ${timeoutMs} ms`)), timeoutMs);
  });
  // mongodb-memory-server prints download failures with stack traces to the console; the caller reports the
  // outcome in one line instead, so silence the console while it tries.
  const { warn, error } = console;
  console.warn = () => undefined;
  console.error = () => undefined;
  try {
    const server = await Promise.race([MongoMemoryServer.create(), timeout]);
    return {
      uri: server.getUri(),
      kind: 'mongod',
      stop: async () => {
        await server.stop();
      },
    };
  } finally {
    clearTimeout(timer);
    console.warn = warn;
    console.error = error;
  }
}

/**
 * CongoDB answers the driver's streaming (exhaust) hello with a reply that ends the stream, which the driver
 * takes as a failed heartbeat: it clears the connection pool every heartbeat (10 s) and fails whatever was in
 * flight. Polling monitoring, a standard URI option, sends plain hellos, which CongoDB answers correctly.
 */
function withPollingMonitor(uri: string): string {
  const url = new URL(uri);
  url.searchParams.set('serverMonitoringMode', 'poll');
  return url.toString();
}

async function startCongo(heapMb: number): Promise<EmbeddedMongo> {
  const port = await freePort();
  const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, CONGO_SCRIPT, String(port)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const uri = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`embedded: CongoDB exited with code ${code} before it was ready`))
    );
    lines.on('line', (line) => {
      if (line.startsWith('{')) resolve((JSON.parse(line) as { uri: string }).uri);
    });
  });
  child.removeAllListeners('exit');
  return {
    uri: withPollingMonitor(uri),
    kind: 'congodb',
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin.end();
      await exited;
    },
  };
}

/**
 * Starts the best MongoDB server obtainable here: a real mongod through mongodb-memory-server (which must
 * download one, so it fails offline), else CongoDB. Say which in every log and test report.
 */
export async function startEmbeddedMongo(options: EmbeddedOptions): Promise<EmbeddedMongo> {
  const heapMb = options.congoHeapMb ?? 4096;
  if (options.prefer === 'congodb') return startCongo(heapMb);
  try {
    return await startMongod(options.mongodTimeoutMs ?? 30_000);
  } catch (error) {
    if (options.prefer === 'mongod') throw error;
    const note = `real mongod not obtainable (${(error as Error).message.split('\n')[0]}); using CongoDB`;
    return { ...(await startCongo(heapMb)), note };
  }
}
