// The PSP side of the storm: sends the plan's webhooks at a fixed rate (open loop: a slow answer
// never slows the sender), each signed at send time exactly as the sandbox PSP signs
// (`Handoff-Signature: t=…,v1=HMAC-SHA256(webhookSecret, "t.body")`), and retries any 5xx,
// timeout or refused connection as a PSP does, until acknowledged or a deadline: exponential
// backoff with jitter (so retries of events that failed together do not come back together), and
// never sooner than the answer's Retry-After. A 503 that says Handoff shed it (too many webhooks in
// flight) counts as a failed attempt like any other, recorded as `503 shed`.
import { Worker } from 'node:worker_threads';
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
}

export { RETRY_BASE_MS, RETRY_CAP_MS, retryDelayMs, SHED_ERROR, SHED_FAILURE } from './storm-sender.worker.mjs';

interface WorkerOutcome extends Omit<SendOutcome, 'send'> {
  index: number;
}

/**
 * Sends every planned webhook at `ratePerSecond` from a worker thread (storm-sender.worker.mjs);
 * resolves when each is acknowledged, refused or given up, with the sender's own event-loop delay
 * (large values would make its latencies the sender's, not Handoff's).
 */
export async function drive(
  sends: Send[],
  o: DriverOptions,
): Promise<{ outcomes: SendOutcome[]; startedAt: number; lastSentAt: number; loopDelayP99Ms: number; loopDelayMaxMs: number }> {
  const signCheck = { secret: 'whsec_check', body: '{"id":"evt_check"}', t: 1_700_000_000 };
  const worker = new Worker(new URL('./storm-sender.worker.mjs', import.meta.url), {
    workerData: {
      role: 'storm-sender',
      bodies: sends.map((s) => s.event.body),
      options: { url: o.url, secret: o.secret, ratePerSecond: o.ratePerSecond, attemptTimeoutMs: o.attemptTimeoutMs ?? 10_000, retryDeadlineMs: o.retryDeadlineMs ?? 180_000 },
      signCheck,
    },
  });
  try {
    const result = await new Promise<{ outcomes: WorkerOutcome[]; startedAt: number; lastSentAt: number; loopDelayP99Ms: number; loopDelayMaxMs: number }>((resolve, reject) => {
      worker.on('message', (m: { kind: string; header?: string; result?: never; message?: string }) => {
        if (m.kind === 'sign-check' && m.header !== signatureHeader(signCheck.secret, signCheck.body, signCheck.t)) {
          reject(new Error(`the storm sender signs differently from the sandbox PSP: ${m.header}`));
        } else if (m.kind === 'done') resolve(m.result!);
        else if (m.kind === 'error') reject(new Error(m.message));
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`storm sender exited (${code}) before it finished`)));
    });
    return { ...result, outcomes: result.outcomes.map(({ index, ...rest }) => ({ send: sends[index]!, ...rest })) };
  } finally {
    await worker.terminate();
  }
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
