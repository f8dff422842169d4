// A small POST over node:http(s) with keep-alive agents, for the service-to-service calls of the hot
// path (internal GraphQL calls, the sandbox PSP's webhooks). The global fetch (undici) cost a
// checkout-session process about a fifth of its CPU in a profile of agent checkouts; a plain
// request on a pooled socket does the same work for a fraction of it.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

// One pool per protocol for the process; sockets are reused across calls to the same origin.
// Idle sockets are closed after 30 s, before a subgraph's 65 s keep-alive timeout
// (subgraph-server.ts), so a call never goes out on a socket the server is closing.
const agentOptions = { keepAlive: true, keepAliveMsecs: 1000, maxSockets: 256, maxFreeSockets: 64, timeout: 30_000, scheduling: 'lifo' as const };
const httpAgent = new HttpAgent(agentOptions);
const httpsAgent = new HttpsAgent(agentOptions);

export interface HttpPostResult {
  status: number;
  body: Buffer;
}

/**
 * POSTs `body` to `url` and resolves the status and the whole response body. Rejects (an Error
 * whose message says why) when the callee cannot be reached, the connection fails, or nothing
 * complete arrives within `timeoutMs`.
 */
export function httpPost(url: string, headers: Record<string, string>, body: string | Buffer, timeoutMs: number): Promise<HttpPostResult> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch (err) {
      reject(err as Error);
      return;
    }
    const https = target.protocol === 'https:';
    const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(err);
    };
    const req = (https ? httpsRequest : httpRequest)(
      target,
      { method: 'POST', agent: https ? httpsAgent : httpAgent, headers: { ...headers, 'content-length': String(payload.length) } },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('aborted', () => fail(new Error('response aborted')));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) });
        });
      },
    );
    const timer = setTimeout(() => {
      fail(new Error(`timed out after ${timeoutMs} ms`));
      req.destroy();
    }, timeoutMs);
    req.on('error', fail);
    req.end(payload);
  });
}
