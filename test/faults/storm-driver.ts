// The PSP side of the storm: sends the plan's webhooks at a fixed rate (open loop: a slow answer
// never slows the sender), each signed at send time exactly as the sandbox PSP signs
// (`Handoff-Signature: t=…,v1=HMAC-SHA256(webhookSecret, "t.body")`), and retries any 5xx,
// timeout or refused connection with backoff, as a PSP does, until acknowledged or a deadline.
import { signatureHeader } from '../../subgraphs/payment-intent/src/webhooks/signature.js';
import type { Send } from './storm-plan.js';

export interface SendOutcome {
  send: Send;
  firstSentAt: number;
  attempts: number;
  /** ms of the acknowledging attempt (what the PSP waited for its 2xx). */
  ackMs: number | null;
  ackedAt: number | null;
  ackStatus: string | null;
  /** Statuses of the failed attempts (5xx, 'timeout', 'network'). */
  failures: string[];
  /** A 4xx: the event was refused, which the storm never expects. */
  refused: { status: number; body: string } | null;
}

export interface DriverOptions {
  url: string;
  secret: string;
  ratePerSecond: number;
  attemptTimeoutMs?: number;
  /** Give up retrying a send this long after its first attempt. */
  retryDeadlineMs?: number;
  onProgress?: (sent: number) => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function attempt(url: string, secret: string, body: string, timeoutMs: number): Promise<{ status: number | string; text: string; ms: number }> {
  const t0 = performance.now();
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'handoff-signature': signatureHeader(secret, body) },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    return { status: res.status, text, ms: performance.now() - t0 };
  } catch (err) {
    const name = (err as Error).name;
    return { status: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network', text: String(err), ms: performance.now() - t0 };
  }
}

async function deliver(send: Send, o: DriverOptions): Promise<SendOutcome> {
  const out: SendOutcome = { send, firstSentAt: Date.now(), attempts: 0, ackMs: null, ackedAt: null, ackStatus: null, failures: [], refused: null };
  const deadline = out.firstSentAt + (o.retryDeadlineMs ?? 180_000);
  for (let backoff = 250; ; backoff = Math.min(backoff * 2, 2000)) {
    out.attempts += 1;
    const r = await attempt(o.url, o.secret, send.event.body, o.attemptTimeoutMs ?? 10_000);
    if (typeof r.status === 'number' && r.status >= 200 && r.status < 300) {
      out.ackMs = r.ms;
      out.ackedAt = Date.now();
      out.ackStatus = (JSON.parse(r.text) as { status?: string }).status ?? 'ok';
      return out;
    }
    if (typeof r.status === 'number' && r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429) {
      out.refused = { status: r.status, body: r.text.slice(0, 300) };
      return out;
    }
    out.failures.push(String(r.status));
    if (Date.now() + backoff > deadline) return out;
    await sleep(backoff);
  }
}

/** Sends every planned webhook at `ratePerSecond`; resolves when each is acknowledged, refused or given up. */
export async function drive(sends: Send[], o: DriverOptions): Promise<{ outcomes: SendOutcome[]; startedAt: number; lastSentAt: number }> {
  const startedAt = Date.now();
  const pending: Array<Promise<SendOutcome>> = [];
  let i = 0;
  while (i < sends.length) {
    const due = Math.min(sends.length, Math.floor(((Date.now() - startedAt) / 1000) * o.ratePerSecond) + 1);
    while (i < due) pending.push(deliver(sends[i++]!, o));
    o.onProgress?.(i);
    await sleep(5);
  }
  const lastSentAt = Date.now();
  return { outcomes: await Promise.all(pending), startedAt, lastSentAt };
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
