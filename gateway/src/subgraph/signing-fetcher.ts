// The HTTP client for subgraph calls: undici's pooled keep-alive client, no fetch polyfill stack
// (make-fetch-happen costs ~40 % of stock @apollo/gateway's CPU) and no node:http client either:
// undici costs ~40 % less CPU per call (bench/RESULTS.md). It signs every call with the internal secret
// over the exact body bytes it sends, so a subgraph can check that the principal header came from
// the gateway, recently, for this very body.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { createRequire } from 'node:module';
import type { Agent as UndiciAgent } from 'undici';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { PRINCIPAL_HEADER, SIGNATURE_HEADER, signRequest } from '@handoff/shared/identity/signing';
import { REQUEST_ID_HEADER } from '@handoff/shared/logging/logger';
import { traceSubgraphCall } from '../tracing/request-spans.js';

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
  /** Longest a call may take, from sending to the last byte of the answer. */
  timeoutMs: number;
  /** Shared keep-alive connection pools (see createSubgraphAgents). */
  agents: SubgraphAgents;
  /** Called once per call with its duration and outcome (`ok`, `http_<status>`, `timeout`, `network`). */
  observe?: (seconds: number, outcome: string) => void;
  now?: () => number;
}

// undici's Agent alone: its index also loads fetch, WebSocket, caches and more (3 MB of heap the
// gateway would carry for nothing). undici is pinned; signing-fetcher.spec.ts runs this Agent.
const Agent = createRequire(import.meta.url)('undici/lib/dispatcher/agent.js') as typeof UndiciAgent;
type Agent = UndiciAgent;

export interface SubgraphAgents {
  dispatcher: Agent;
  destroy(): Promise<void>;
}

export function createSubgraphAgents(maxSockets = 128): SubgraphAgents {
  // Up to `maxSockets` connections per subgraph. Idle connections are closed after 30 s, and
  // always before the server's own keep-alive timeout (it sends `Keep-Alive: timeout=65`), so the
  // gateway never reuses a connection the server is closing.
  const dispatcher = new Agent({ connections: maxSockets, pipelining: 1, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 30_000 });
  return { dispatcher, destroy: () => dispatcher.destroy() };
}

/** A subgraph's answer, read whole. */
export interface RawResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface SigningClient {
  /**
   * One signed POST; `headers` (lower-case names) must carry the principal header. `timeoutMs`
   * replaces the client's own deadline for this call (a long-running operation's).
   */
  post(url: string, headers: Readonly<Record<string, string>>, body: string | Buffer, timeoutMs?: number): Promise<RawResponse>;
  /** The same call behind the fetch-like interface RemoteGraphQLDataSource uses. */
  fetcher: Fetcher;
}

interface Target {
  origin: string;
  path: string;
}

export function createSigningClient(opts: SigningFetcherOptions): SigningClient {
  const { dispatcher } = opts.agents;
  const targets = new Map<string, Target>();
  const targetOf = (url: string): Target => {
    let t = targets.get(url);
    if (!t) {
      const u = new URL(url);
      t = { origin: u.origin, path: `${u.pathname}${u.search}` };
      if (targets.size < 64) targets.set(url, t);
    }
    return t;
  };

  const post = (url: string, given: Readonly<Record<string, string>>, raw: string | Buffer, method = 'POST', timeoutMs = opts.timeoutMs): Promise<RawResponse> => {
    const started = performance.now();
    const principalB64 = given[PRINCIPAL_HEADER];
    if (!principalB64) return Promise.reject(new Error('signing fetcher: no principal header to sign'));
    const target = targetOf(url);
    const body = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    const requestId = given[REQUEST_ID_HEADER] ?? randomUUID();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      ...given,
      [REQUEST_ID_HEADER]: requestId,
      [SIGNATURE_HEADER]: signRequest({ secret: opts.secret, principalB64, requestId, body, now: opts.now?.() }),
      'content-length': String(body.length),
    };
    // Tracing on: the call's span, its traceparent sent to the subgraph (gateway/src/tracing).
    const traced = traceSubgraphCall(given[REQUEST_ID_HEADER], url);
    if (traced) Object.assign(headers, traced.headers);
    return new Promise<RawResponse>((resolve, reject) => {
      // undici's dispatch with a handler that gathers the answer: no stream, no AsyncResource.
      // The call's deadline is one native timer, cleared when the answer is complete. undici's own
      // headers/body timeouts are off: each call would leave a timer object of undici's alive for
      // up to a second, long enough to be promoted, and the gateway's old space grew ~1 MB/s.
      const chunks: Buffer[] = [];
      let response: Omit<RawResponse, 'body'> = { status: 0, statusText: '', headers: {} };
      let settled = false;
      let abort: ((reason: Error) => void) | undefined;
      const settle = (outcome: string, err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        opts.observe?.((performance.now() - started) / 1000, outcome);
        traced?.end(outcome, err);
        if (err) reject(err);
        else resolve({ ...response, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) });
      };
      const timer = setTimeout(() => {
        const err = new SubgraphFetchError(`subgraph call timed out after ${timeoutMs} ms`, 'timeout');
        settle('timeout', err);
        abort?.(err);
      }, timeoutMs);
      dispatcher.dispatch(
        { origin: target.origin, path: target.path, method: method as 'POST', headers, body, headersTimeout: 0, bodyTimeout: 0 },
        {
          onRequestStart(controller) {
            abort = (reason) => controller.abort(reason);
            if (settled) controller.abort(new Error('timed out before it started'));
          },
          onResponseStart(_controller, status, headers, statusText) {
            response = { status, statusText: statusText ?? '', headers };
          },
          onResponseData(_controller, chunk) {
            chunks.push(chunk);
          },
          onResponseEnd() {
            const { status } = response;
            settle(status >= 200 && status < 300 ? 'ok' : `http_${status}`);
          },
          onResponseError(_controller, err) {
            settle('network', new SubgraphFetchError(`subgraph call failed: ${err.message}`, 'network', { cause: err }));
          },
        },
      );
    });
  };

  const fetcher = async (url: string, init?: FetcherInit): Promise<FetcherResponse> => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(init?.headers ?? {})) headers[k.toLowerCase()] = v;
    const r = await post(url, headers, init?.body ?? '', init?.method ?? 'POST');
    return new LeanResponse(url, r.status, r.statusText, r.headers, r.body) as never;
  };
  return { post: (url, headers, body, timeoutMs) => post(url, headers, body, 'POST', timeoutMs), fetcher: fetcher as Fetcher };
}

/** Response headers as one string each (repeated ones joined with ", "). */
export function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export function createSigningFetcher(opts: SigningFetcherOptions): Fetcher {
  return createSigningClient(opts).fetcher;
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
    for (const [k, v] of Object.entries(flatHeaders(headers))) this.map.set(k.toLowerCase(), v);
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
