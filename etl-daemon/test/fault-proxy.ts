/**
 * A TCP proxy between a MongoDB driver and the test server that reads the wire protocol far enough to name
 * each command and its collection, and can drop, stall or lose the reply of chosen ones, or refuse
 * connections altogether: the failures a replica set's elections, a network cut or an overloaded primary
 * cause, on a server that has none of them.
 *
 * Wire protocol (MongoDB's "OP_MSG" specification, mongodb/specifications `source/message/OP_MSG.md`): every
 * message starts with a 16-byte header (int32 messageLength, requestID, responseTo, opCode). OP_MSG (2013)
 * carries uint32 flagBits, then sections: kind 0 is one BSON document (the command, its first key naming it
 * and, for CRUD commands, its value the collection), kind 1 is a document sequence (int32 size, cstring
 * identifier, documents). The legacy OP_QUERY (2004) only carries the first handshake; it is forwarded as is.
 * Clients must connect with `directConnection=true` so that the driver talks to the proxy only, and without
 * compressors (OP_COMPRESSED hides the command).
 */
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { connect, createServer } from 'node:net';
import { BSON } from 'mongodb';

const OP_MSG = 2013;

/** What the proxy saw of one command sent to the server. */
export interface SeenCommand {
  /** The command's name: its body's first key (insert, update, find, hello, …). */
  name: string;
  /** Its collection for commands that name one (the first key's value when it is a string), else ''. */
  collection: string;
  db: string;
  /** The whole command document (kind-1 sequences such as `documents` folded in). */
  body: Record<string, unknown>;
}

export type FaultAction =
  /** The connection is closed before the command reaches the server: it does not happen. */
  | { kind: 'drop' }
  /** The command reaches the server, then the connection is closed before the reply: it happens, unseen. */
  | { kind: 'lose-reply' }
  /** The command waits this long before it is forwarded. */
  | { kind: 'stall'; ms: number };

export interface FaultRule {
  match: (command: SeenCommand) => boolean;
  action: FaultAction;
  /** How many matching commands the rule acts on (default 1); then it is spent. */
  times?: number;
}

export interface FaultProxy {
  /** `mongodb://127.0.0.1:<port>/?directConnection=true…`: the test server's options, through the proxy. */
  uri: string;
  /** Every command forwarded or acted on, in order. */
  seen: SeenCommand[];
  /** Adds a rule; rules are tried in the order added. */
  inject(rule: FaultRule): void;
  /** Refuses (closes at once) new connections and closes open ones: the server has gone away. */
  down(): void;
  /** Accepts connections again. */
  up(): void;
  /** Resolves once `count` commands matching `match` have been seen (rules' targets included). */
  waitFor(match: (command: SeenCommand) => boolean, count?: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Splits complete messages off the front of `buffer`; the rest waits for more bytes. */
function takeMessages(buffer: Buffer): { messages: Buffer[]; rest: Buffer } {
  const messages: Buffer[] = [];
  let at = 0;
  while (buffer.length - at >= 4) {
    const length = buffer.readInt32LE(at);
    if (buffer.length - at < length) break;
    messages.push(buffer.subarray(at, at + length));
    at += length;
  }
  return { messages, rest: buffer.subarray(at) };
}

/** The command of an OP_MSG; undefined for other op codes. */
export function readCommand(message: Buffer): SeenCommand | undefined {
  if (message.readInt32LE(12) !== OP_MSG) return undefined;
  const flags = message.readUInt32LE(16);
  const end = message.length - (flags & 1 ? 4 : 0);
  let body: Record<string, unknown> = {};
  const sequences: Record<string, unknown[]> = {};
  for (let at = 20; at < end;) {
    const kind = message.readUInt8(at);
    at += 1;
    const size = message.readInt32LE(at);
    if (kind === 0) {
      body = BSON.deserialize(message.subarray(at, at + size), { promoteBuffers: true });
      at += size;
      continue;
    }
    const sectionEnd = at + size;
    const nameEnd = message.indexOf(0, at + 4);
    const identifier = message.toString('utf8', at + 4, nameEnd);
    const documents: unknown[] = [];
    for (let doc = nameEnd + 1; doc < sectionEnd;) {
      const docSize = message.readInt32LE(doc);
      documents.push(BSON.deserialize(message.subarray(doc, doc + docSize)));
      doc += docSize;
    }
    sequences[identifier] = documents;
    at = sectionEnd;
  }
  const name = Object.keys(body)[0] ?? '';
  const target = body[name];
  return {
    name,
    collection: typeof target === 'string' ? target : '',
    db: typeof body.$db === 'string' ? body.$db : '',
    body: { ...body, ...sequences },
  };
}

/** Starts a proxy in front of the server of `upstreamUri` (a mongodb:// URI with one host). */
export async function startFaultProxy(upstreamUri: string): Promise<FaultProxy> {
  const upstream = new URL(upstreamUri);
  const upstreamPort = Number(upstream.port || 27017);
  const upstreamHost = upstream.hostname;
  const rules: (FaultRule & { left: number })[] = [];
  const seen: SeenCommand[] = [];
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();
  /** Held commands, released at close (their connections are gone by then). */
  const stalls = new Map<NodeJS.Timeout, () => void>();
  let refusing = false;

  function cut(...pair: Socket[]): void {
    for (const socket of pair) socket.destroy();
  }

  function actionFor(command: SeenCommand): FaultAction | undefined {
    for (const rule of rules) {
      if (rule.left > 0 && rule.match(command)) {
        rule.left -= 1;
        return rule.action;
      }
    }
    return undefined;
  }

  const server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const server = connect(upstreamPort, upstreamHost);
    sockets.add(client).add(server);
    for (const socket of [client, server]) {
      socket.on('error', () => cut(client, server));
      socket.on('close', () => {
        sockets.delete(socket);
        cut(client, server);
      });
    }
    /** Request ids whose reply is to be lost. */
    const loseReplyTo = new Set<number>();
    // Messages are forwarded in order: a stalled one holds the ones behind it, as a slow link would.
    let queue: Promise<void> = Promise.resolve();
    let fromClient = Buffer.alloc(0);
    client.on('data', (data: Buffer) => {
      const { messages, rest } = takeMessages(Buffer.concat([fromClient, data]));
      fromClient = Buffer.from(rest);
      for (const message of messages) {
        const command = readCommand(message);
        const action = command ? actionFor(command) : undefined;
        if (command) {
          seen.push(command);
          for (const wake of waiters) wake();
        }
        queue = queue.then(async () => {
          if (action?.kind === 'drop') return cut(client, server);
          if (action?.kind === 'stall') {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, action.ms);
              stalls.set(timer, resolve);
            });
          }
          if (action?.kind === 'lose-reply') loseReplyTo.add(message.readInt32LE(4));
          if (!server.destroyed) server.write(message);
        });
      }
    });
    let fromServer = Buffer.alloc(0);
    server.on('data', (data: Buffer) => {
      const { messages, rest } = takeMessages(Buffer.concat([fromServer, data]));
      fromServer = Buffer.from(rest);
      for (const message of messages) {
        if (loseReplyTo.has(message.readInt32LE(8))) return cut(client, server);
        client.write(message);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const uri = new URL(upstreamUri);
  uri.host = `127.0.0.1:${port}`;
  uri.searchParams.set('directConnection', 'true');
  return {
    uri: uri.toString(),
    seen,
    inject(rule) {
      rules.push({ ...rule, left: rule.times ?? 1 });
    },
    down() {
      refusing = true;
      for (const socket of sockets) socket.destroy();
    },
    up() {
      refusing = false;
    },
    async waitFor(match, count = 1, timeoutMs = 30_000) {
      const enough = () => seen.filter(match).length >= count;
      if (enough()) return;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`fault proxy: fewer than ${count} matching commands within ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          if (!enough()) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    async close() {
      refusing = true;
      for (const socket of sockets) socket.destroy();
      for (const [timer, release] of stalls) {
        clearTimeout(timer);
        release();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
