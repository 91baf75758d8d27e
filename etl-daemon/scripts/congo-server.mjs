// Runs CongoDB (an in-memory MongoDB wire-protocol server, @push.rocks/smartmongo) as a child process.
// It is an ES module, so it lives outside the CommonJS daemon. Prints one JSON line {"uri": ...} when ready
// and exits when its parent closes stdin, so it never outlives the process that started it.
import { congodb } from '@push.rocks/smartmongo';

const port = Number(process.argv[2]);
const server = new congodb.CongoServer({ port, host: '127.0.0.1', storage: 'memory' });
await server.start();
process.stdout.write(`${JSON.stringify({ uri: server.getConnectionUri() })}\n`);
const stop = async () => {
  await server.stop().catch(() => undefined);
  process.exit(0);
};
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
