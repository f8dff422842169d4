// The HTTP client for subgraph calls: node:http over a keep-alive Agent, no fetch polyfill stack
// (make-fetch-happen costs ~40 % of stock @apollo/gateway's CPU). It signs every call with the
// internal secret over the exact body bytes it sends, so a subgraph can check that the principal
// header came from the gateway, recently, for this very body.
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { randomUUID } from 'node:crypto';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { PRINCIPAL_HEADER, SIGNATURE_HEADER, signRequest } from '@handoff/shared/identity/signing';
import { REQUEST_ID_HEADER } from '@handoff/shared/logging/logger';

/** What RemoteGraphQLDataSource calls: (url, { method, headers, body }) → a fetch-like response. */
export type Fetcher = RemoteGraphQLDataSource['fetcher'];
type FetcherInit = NonNullable<Parameters<Fetcher>[1]>;
type FetcherResponse = Awaited<ReturnType<Fetcher>>;

export class SubgraphFetchError extends Error {
  constructor(
    message: string,
    /** `timeout` or `network`. */
    readonly kind: 'timeout' | 'network',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SubgraphFetchError';
  }
}

export interface SigningFetcherOptions {
  secret: string;
  timeoutMs: number;
  /** Shared keep-alive agents (see createSubgraphAgents). */
  agents: SubgraphAgents;
  /** Called once per call with its duration and outcome (`ok`, `http_<status>`, `timeout`, `network`). */
  observe?: (seconds: number, outcome: string) => void;
  now?: () => number;
}

export interface SubgraphAgents {
  http: Agent;
  https: HttpsAgent;
  destroy(): void;
}

export function createSubgraphAgents(maxSockets = 128): SubgraphAgents {
  // Free sockets are closed after 30 s idle, before the subgraphs' 65 s keep-alive timeout, so the
  // gateway never reuses a socket the server is closing. LIFO keeps the hot sockets hot.
  const options = { keepAlive: true, maxSockets, maxFreeSockets: Math.min(maxSockets, 64), timeout: 30_000, scheduling: 'lifo' as const };
  const http = new Agent(options);
  const https = new HttpsAgent(options);
  return {
    http,
    https,
    destroy() {
      http.destroy();
      https.destroy();
    },
  };
}

interface Target {
  https: boolean;
  hostname: string;
  port: number;
  path: string;
}

export function createSigningFetcher(opts: SigningFetcherOptions): Fetcher {
  const targets = new Map<string, Target>();
  const targetOf = (url: string): Target => {
    let t = targets.get(url);
    if (!t) {
      const u = new URL(url);
      const https = u.protocol === 'https:';
      t = {
        https,
        hostname: u.hostname.replace(/^\[|\]$/g, ''),
        port: u.port ? Number(u.port) : https ? 443 : 80,
        path: `${u.pathname}${u.search}`,
      };
      if (targets.size < 64) targets.set(url, t);
    }
    return t;
  };

  const fetcher = (url: string, init?: FetcherInit): Promise<FetcherResponse> => {
    const started = performance.now();
    const target = targetOf(url);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(init?.headers ?? {})) headers[k.toLowerCase()] = v;
    const principalB64 = headers[PRINCIPAL_HEADER];
    if (!principalB64) return Promise.reject(new Error('signing fetcher: no principal header to sign'));
    const requestId = headers[REQUEST_ID_HEADER] ?? (headers[REQUEST_ID_HEADER] = randomUUID());
    const raw = init?.body ?? '';
    const body = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    headers[SIGNATURE_HEADER] = signRequest({ secret: opts.secret, principalB64, requestId, body, now: opts.now?.() });
    headers['content-length'] = String(body.length);
    headers['content-type'] ??= 'application/json';

    return new Promise<FetcherResponse>((resolve, reject) => {
      let settled = false;
      const finish = (outcome: string, err?: Error, response?: FetcherResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        opts.observe?.((performance.now() - started) / 1000, outcome);
        if (err) reject(err);
        else resolve(response!);
      };
      const req = (target.https ? httpsRequest : httpRequest)(
        {
          hostname: target.hostname,
          port: target.port,
          path: target.path,
          method: init?.method ?? 'POST',
          headers,
          agent: target.https ? opts.agents.https : opts.agents.http,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => finish('network', new SubgraphFetchError(`subgraph response failed: ${e.message}`, 'network', { cause: e })));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const response = new LeanResponse(url, status, res.statusMessage ?? '', res.headers, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
            finish(status >= 200 && status < 300 ? 'ok' : `http_${status}`, undefined, response);
          });
        },
      );
      const timer = setTimeout(() => {
        const err = new SubgraphFetchError(`subgraph call timed out after ${opts.timeoutMs} ms`, 'timeout');
        finish('timeout', err);
        req.destroy(err);
      }, opts.timeoutMs);
      req.on('error', (e) => finish('network', new SubgraphFetchError(`subgraph call failed: ${e.message}`, 'network', { cause: e })));
      req.end(body);
    });
  };
  return fetcher as Fetcher;
}

/** The subset of a WHATWG Response that RemoteGraphQLDataSource reads, over a fully read body. */
export class LeanResponse {
  readonly redirected = false;
  readonly headers: LeanHeaders;
  private used = false;

  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    headers: IncomingHttpHeaders,
    private readonly body: Buffer,
  ) {
    this.headers = new LeanHeaders(headers);
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  text(): Promise<string> {
    this.used = true;
    return Promise.resolve(this.body.toString('utf8'));
  }

  json(): Promise<any> {
    this.used = true;
    try {
      return Promise.resolve(JSON.parse(this.body.toString('utf8')));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    this.used = true;
    const ab = new ArrayBuffer(this.body.length);
    new Uint8Array(ab).set(this.body);
    return Promise.resolve(ab);
  }

  clone(): LeanResponse {
    const copy = new LeanResponse(this.url, this.status, this.statusText, {}, this.body);
    for (const [k, v] of this.headers) copy.headers.set(k, v);
    return copy;
  }
}

export class LeanHeaders implements Iterable<[string, string]> {
  private readonly map = new Map<string, string>();

  constructor(headers: IncomingHttpHeaders = {}) {
    for (const [k, v] of Object.entries(headers)) {
      if (v !== undefined) this.map.set(k.toLowerCase(), Array.isArray(v) ? v.join(', ') : v);
    }
  }

  get(name: string): string | null {
    return this.map.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }
  set(name: string, value: string): void {
    this.map.set(name.toLowerCase(), value);
  }
  append(name: string, value: string): void {
    const k = name.toLowerCase();
    const prev = this.map.get(k);
    this.map.set(k, prev === undefined ? value : `${prev}, ${value}`);
  }
  delete(name: string): void {
    this.map.delete(name.toLowerCase());
  }
  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }
  keys(): IterableIterator<string> {
    return this.map.keys();
  }
  values(): IterableIterator<string> {
    return this.map.values();
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.map.entries();
  }
}
