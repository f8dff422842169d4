// One HTTP attempt of a webhook delivery: POST the body, answer what happened, never throw.
// 2xx is delivered; any other status, a redirect (never followed), a timeout, a refused or broken
// connection is a failed attempt. Unless private URLs are allowed, the host is resolved when
// connecting and a private, loopback or link-local address refuses the attempt
// (`blocked_private_address`); the socket connects to the very address that was checked (the
// agents' lookup, shared/src/http/non-public-address.ts), so DNS rebinding cannot slip between
// the check and the connection. At most 64 KiB of the answer is read, then the connection is
// dropped; 1 KiB of it is kept as the log's excerpt.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isNonPublicHost, NON_PUBLIC_ADDRESS_ERROR, publicOnlyLookup } from '@handoff/shared';

export const MAX_RESPONSE_READ_BYTES = 64 * 1024;
export const RESPONSE_EXCERPT_BYTES = 1024;
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 10_000;

export type AttemptError =
  | 'invalid_url'
  | 'blocked_private_address'
  | 'timeout'
  | 'dns_failure'
  | 'connection_refused'
  | 'connection_reset'
  | 'tls_error'
  | 'connection_error'
  | 'redirect_not_followed';

export interface AttemptResult {
  succeeded: boolean;
  /** The answer's status, when one came. */
  statusCode: number | null;
  error: AttemptError | null;
  /** From the request's start to the answer's status line (or the failure). */
  latencyMs: number;
  responseExcerpt: string | null;
}

export interface AttemptOptions {
  allowPrivateUrls: boolean;
  timeoutMs?: number;
}

// Keep-alive pools (an agent pools per origin): a socket is only ever connected to an address its
// agent's lookup accepted. Per origin, as many sockets as the worker's attempts may run at once
// (the delivery jobs' 64 and as many direct first attempts: a request waiting for a socket
// would spend its timeout waiting), and as many kept idle: with fewer, a burst to one endpoint
// closed and reopened connections for every attempt past the idle limit.
const agentOptions = { keepAlive: true, keepAliveMsecs: 1000, maxSockets: 128, maxTotalSockets: 2048, maxFreeSockets: 128, timeout: 30_000, scheduling: 'lifo' as const };
const agents = {
  publicOnly: { http: new HttpAgent({ ...agentOptions, lookup: publicOnlyLookup as never }), https: new HttpsAgent({ ...agentOptions, lookup: publicOnlyLookup as never }) },
  any: { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) },
};

function errorKind(err: NodeJS.ErrnoException): AttemptError {
  const code = err.code ?? '';
  if (code === NON_PUBLIC_ADDRESS_ERROR) return 'blocked_private_address';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL' || code === 'EAI_NONAME') return 'dns_failure';
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || err.message === 'socket hang up') return 'connection_reset';
  if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/.test(code)) return 'tls_error';
  return 'connection_error';
}

/** At most RESPONSE_EXCERPT_BYTES of UTF-8, without NUL (PostgreSQL text cannot hold it); null when empty. */
export function responseExcerpt(bytes: Buffer): string | null {
  let text = bytes.subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8').replaceAll('\u0000', '');
  while (Buffer.byteLength(text, 'utf8') > RESPONSE_EXCERPT_BYTES) text = text.slice(0, -1);
  return text === '' ? null : text;
}

export function postWebhook(url: string, body: string, headers: Record<string, string>, opts: AttemptOptions): Promise<AttemptResult> {
  const started = process.hrtime.bigint();
  const elapsed = () => Number((process.hrtime.bigint() - started) / 1_000_000n);
  const failed = (error: AttemptError, statusCode: number | null = null, excerpt: string | null = null): AttemptResult => ({
    succeeded: false,
    statusCode,
    error,
    latencyMs: elapsed(),
    responseExcerpt: excerpt,
  });
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve(failed('invalid_url'));
  }
  const https = target.protocol === 'https:';
  if (!https && !(target.protocol === 'http:' && opts.allowPrivateUrls)) return Promise.resolve(failed('invalid_url'));
  // An IP literal is not looked up: what the URL says is the address.
  if (!opts.allowPrivateUrls && isNonPublicHost(target.hostname)) return Promise.resolve(failed('blocked_private_address'));
  const payload = Buffer.from(body, 'utf8');
  const pool = opts.allowPrivateUrls ? agents.any : agents.publicOnly;

  return new Promise((resolve) => {
    let settled = false;
    let statusCode: number | null = null;
    let latencyMs = 0;
    const chunks: Buffer[] = [];
    let kept = 0;
    const finish = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const answered = () => {
      const excerpt = responseExcerpt(Buffer.concat(chunks));
      const status = statusCode!;
      if (status >= 200 && status <= 299) return finish({ succeeded: true, statusCode: status, error: null, latencyMs, responseExcerpt: excerpt });
      finish({ succeeded: false, statusCode: status, error: status >= 300 && status <= 399 ? 'redirect_not_followed' : null, latencyMs, responseExcerpt: excerpt });
    };
    const req = (https ? httpsRequest : httpRequest)(
      target,
      {
        method: 'POST',
        agent: https ? pool.https : pool.http,
        headers: { ...headers, 'content-length': String(payload.length) },
      },
      (res: IncomingMessage) => {
        statusCode = res.statusCode ?? 0;
        latencyMs = elapsed();
        let read = 0;
        res.on('data', (c: Buffer) => {
          read += c.length;
          if (kept < RESPONSE_EXCERPT_BYTES) {
            chunks.push(c.subarray(0, RESPONSE_EXCERPT_BYTES - kept));
            kept += Math.min(c.length, RESPONSE_EXCERPT_BYTES - kept);
          }
          if (read >= MAX_RESPONSE_READ_BYTES) {
            // Enough read: the rest is not waited for, and the connection is not reused.
            res.destroy();
            answered();
          }
        });
        res.on('end', answered);
        // The status line came: a connection broken after it does not change the answer.
        res.on('error', answered);
        res.on('aborted', answered);
        res.on('close', answered);
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      // A status already in hand decides, however slowly its body comes.
      if (statusCode !== null) answered();
      else finish(failed('timeout'));
    }, opts.timeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS);
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (statusCode !== null) answered();
      else finish(failed(errorKind(err)));
    });
    req.end(payload);
  });
}
