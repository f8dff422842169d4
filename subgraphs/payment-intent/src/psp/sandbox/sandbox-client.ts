// Handoff's HTTP client of the sandbox PSP, an external system like Stripe: its base URL is
// configuration (PSP_SANDBOX_URL; the launcher and docker-compose.yml start the sandbox there).
//
// Timeout and failure mode. Payment calls run inside a command's transaction holding the
// intent's row lock (as Stripe's do), so each call is bounded by PSP_SANDBOX_TIMEOUT_MS (one
// attempt, no retry: a create or refund is safe to retry with its idempotency key, and the caller
// does, by asking again). A 4xx is the sandbox's answer: `SandboxApiError` (its Stripe-shaped
// error: type, code, message); the connector turns refusals into PspRequestRejected (a
// CHECKOUT_CREATE_FAILED or PSP_REQUEST_FAILED for the caller) and a 402 card_error into a
// decline. No answer in time, a refused connection or a 5xx is not the sandbox's verdict: a
// plain Error, so the command rolls back and its caller sees an internal error, as with Stripe.
import { httpPost } from '@handoff/shared';

export const PSP_SANDBOX_TIMEOUT_MS = 10_000;

export interface SandboxClientOptions {
  /** The sandbox's base URL (no trailing /v1). */
  url: string;
  /** The sandbox operator's key: account set-up and the dashboard. */
  adminKey: string | undefined;
  timeoutMs?: number;
}

/** The sandbox's error object, as it answers a 4xx. */
export interface SandboxErrorBody {
  type: string;
  code?: string;
  message: string;
  param?: string;
  decline_code?: string | null;
  payment_intent?: Record<string, unknown>;
}

export class SandboxApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: SandboxErrorBody,
  ) {
    super(error.message);
    this.name = 'SandboxApiError';
  }
}

export type Json = Record<string, unknown>;

export class SandboxClient {
  private readonly base: string;
  private readonly timeoutMs: number;

  constructor(private readonly opts: SandboxClientOptions) {
    this.base = opts.url.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? PSP_SANDBOX_TIMEOUT_MS;
  }

  /** A call with a merchant's secret key. */
  post(key: string, path: string, body: Json = {}, headers: Record<string, string> = {}): Promise<Json> {
    return this.send('POST', key, path, body, headers);
  }

  get(key: string, path: string): Promise<Json> {
    return this.send('GET', key, path);
  }

  /** Whether the operator's key is set (without it, no TEST payment can be made, and the sandbox has nothing of Handoff's). */
  get operatorKeySet(): boolean {
    return !!this.opts.adminKey;
  }

  /** A call with the operator's key (account set-up, the dashboard). */
  async admin(method: 'GET' | 'POST', path: string, body: Json = {}): Promise<Json> {
    if (!this.opts.adminKey) throw new Error('PSP_SANDBOX_ADMIN_KEY is not set: Handoff cannot reach the sandbox PSP (TEST connectors)');
    return this.send(method, this.opts.adminKey, path, body);
  }

  private async send(method: 'GET' | 'POST', key: string, path: string, body?: Json, headers: Record<string, string> = {}): Promise<Json> {
    const url = `${this.base}${path}`;
    const auth = { authorization: `Bearer ${key}`, accept: 'application/json', 'user-agent': 'Handoff/payment-intent', ...headers };
    let status: number;
    let text: string;
    try {
      if (method === 'POST') {
        const res = await httpPost(url, { ...auth, 'content-type': 'application/json' }, JSON.stringify(body ?? {}), this.timeoutMs);
        status = res.status;
        text = res.body.toString('utf8');
      } else {
        const res = await fetch(url, { headers: auth, signal: AbortSignal.timeout(this.timeoutMs) });
        status = res.status;
        text = await res.text();
      }
    } catch (err) {
      throw new Error(`the sandbox PSP (${method} ${path}) did not answer: ${(err as Error).message}`, { cause: err });
    }
    let parsed: Json;
    try {
      parsed = JSON.parse(text) as Json;
    } catch {
      throw new Error(`the sandbox PSP (${method} ${path}) answered ${status} without JSON`);
    }
    if (status >= 200 && status < 300) return parsed;
    const error = parsed.error as SandboxErrorBody | undefined;
    if (status >= 400 && status < 500 && error && typeof error.message === 'string') throw new SandboxApiError(status, error);
    throw new Error(`the sandbox PSP (${method} ${path}) answered ${status}`);
  }
}
