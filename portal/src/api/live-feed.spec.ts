// Resumption through a real graphql-ws client and server over real sockets: the server drops
// every connection, events are published while the client is away, and the client (reconnecting
// on its own) gets exactly the events it missed, in order, once each. The server keeps the
// gateway's contract (docs/api.md): `after: <cursor>` replays what came after it, then goes live;
// each event carries extensions.cursor.
import type { AddressInfo } from 'node:net';
import { buildSchema, parse } from 'graphql';
import { createClient } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { CursorTracker, subscribeFeed } from './live-feed';

const schema = buildSchema(`
  type Query { ok: Boolean }
  type Conv { id: ID! n: Int! }
  type Subscription { conversionUpdated(after: String): Conv! }
`);
const DOCUMENT = parse('subscription($after: String) { conversionUpdated(after: $after) { id n } }');

interface FeedServer {
  url: string;
  publish(n: number): void;
  dropAll(): void;
  afters: Array<string | null>;
  close(): Promise<void>;
}

/** A conversion feed: a log of events 1..n; `overlap` replays one event more than asked (a sloppy replay). */
async function feedServer(opts: { overlap?: boolean } = {}): Promise<FeedServer> {
  const log: number[] = [];
  const listeners = new Set<() => void>();
  const afters: Array<string | null> = [];
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => wss.once('listening', r));
  const roots = {
    conversionUpdated: async function* ({ after }: { after?: string | null }) {
      afters.push(after ?? null);
      let next = after ? Number(after) + 1 - (opts.overlap ? 1 : 0) : log.length + 1;
      for (;;) {
        while (next <= log.length) {
          const n = log[next - 1]!;
          next++;
          yield { conversionUpdated: { id: `cnv_${n}`, n } };
        }
        await new Promise<void>((resolve) => {
          const wake = () => {
            listeners.delete(wake);
            resolve();
          };
          listeners.add(wake);
        });
      }
    },
  };
  const server = useServer(
    {
      schema,
      roots: { subscription: roots } as never,
      onNext: (_ctx, _id, _payload, _args, result) => ({ ...result, extensions: { cursor: String((result.data as { conversionUpdated: { n: number } }).conversionUpdated.n) } }),
    },
    wss,
  );
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/graphql`,
    publish(n) {
      log.push(n);
      for (const wake of [...listeners]) wake();
    },
    dropAll() {
      for (const socket of wss.clients) socket.terminate();
    },
    afters,
    async close() {
      await server.dispose();
      await new Promise((r) => wss.close(r));
    },
  };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function scenario(opts: { resume: boolean; overlap?: boolean }) {
  const server = await feedServer({ overlap: opts.overlap });
  cleanups.push(() => server.close());
  let connections = 0;
  const client = createClient({
    url: server.url,
    webSocketImpl: WebSocket,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    // Long enough that events published right after the drop land while the client is away.
    retryWait: () => new Promise((r) => setTimeout(r, 150)),
    on: { connected: () => void connections++ },
  });
  cleanups.push(() => client.dispose());
  const seen: number[] = [];
  const stop = subscribeFeed<{ conversionUpdated: { n: number } }>(
    client,
    DOCUMENT,
    { onEvent: (e) => seen.push(e.data.conversionUpdated.n), onError: (m) => seen.push(-1) && console.error(m) },
    opts.resume ? { resumeArgument: 'after' } : {},
  );
  cleanups.push(stop);

  await until(() => server.afters.length === 1, 'the subscription');
  for (const n of [1, 2, 3]) server.publish(n);
  await until(() => seen.length === 3, 'events 1-3');
  server.dropAll();
  for (const n of [4, 5, 6]) server.publish(n); // while the client is away
  await until(() => connections === 2 && server.afters.length === 2, 'the reconnect');
  server.publish(7);
  await until(() => seen.includes(7), 'event 7');
  return { seen, afters: server.afters };
}

describe('subscribeFeed resumption over a real graphql-ws connection', () => {
  it('a reconnect resumes after the last cursor: no gap, no duplicate', async () => {
    const { seen, afters } = await scenario({ resume: true });
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(afters).toEqual([null, '3']);
  });

  it('an overlapping replay is shown once', async () => {
    const { seen, afters } = await scenario({ resume: true, overlap: true });
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(afters).toEqual([null, '3']);
  });

  it('without resuming, what happened during the drop is lost (what the test above guards against)', async () => {
    const { seen } = await scenario({ resume: false });
    expect(seen).toEqual([1, 2, 3, 7]);
  });
});

describe('CursorTracker', () => {
  it('accepts increasing cursors only, compared as integers (not strings)', () => {
    const t = new CursorTracker('9');
    expect(t.accept('9')).toBe(false);
    expect(t.accept('10')).toBe(true);
    expect(t.accept('2')).toBe(false);
    expect(t.current).toBe('10');
    expect(t.accept(undefined)).toBe(true);
  });
});
