// The storm's sender, on a thread of its own (storm-driver.ts starts it): its clock, timers and
// sockets are not held up by the test process's main thread (the harness supervising eleven
// processes and their output, vitest). Plain JavaScript because a worker thread runs outside
// vitest's transforms; storm-driver.ts checks at start that it signs exactly as
// subgraphs/payment-intent/src/webhooks/signature.ts does.
import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

export const SHED_ERROR = 'temporarily overloaded';
export const SHED_FAILURE = '503 shed';
export const RETRY_BASE_MS = 500;
export const RETRY_CAP_MS = 8000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `t=<unix>,v1=<hex HMAC-SHA256(secret, "t.body")>`, as the sandbox PSP signs. */
export function sign(secret, body, t = Math.floor(Date.now() / 1000)) {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex')}`;
}

/**
 * The wait before the next attempt after `failures` failed ones: exponential backoff with equal
 * jitter (half fixed, half random), and at least the Retry-After, itself spread by up to half.
 */
export function retryDelayMs(failures, retryAfterMs, random = Math.random) {
  const backoff = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, failures - 1));
  const jittered = backoff / 2 + random() * (backoff / 2);
  return retryAfterMs === null ? jittered : Math.max(jittered, retryAfterMs * (1 + random() * 0.5));
}

function retryAfterOf(value) {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 60) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.min(Math.max(0, at - Date.now()), 60_000);
}

function isShed(text) {
  try {
    return JSON.parse(text).error === SHED_ERROR;
  } catch {
    return false;
  }
}

// node:http over a keep-alive agent with a bounded number of sockets, as a PSP's delivery
// workers hold connections: undici's fetch opened a socket per concurrent request and, with
// thousands in flight and timing out during the outage, stalled this thread for seconds.
const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256, scheduling: 'lifo' });

function attempt(url, secret, body, timeoutMs) {
  const t0 = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (r) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ...r, ms: performance.now() - t0 });
    };
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'handoff-signature': sign(secret, body) } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', (err) => finish({ status: 'network', text: String(err), retryAfterMs: null }));
        res.on('end', () => finish({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8'), retryAfterMs: retryAfterOf(res.headers['retry-after']) }));
      },
    );
    // The timeout covers waiting for a socket too, as the old fetch's AbortSignal did.
    const timer = setTimeout(() => {
      finish({ status: 'timeout', text: 'timeout', retryAfterMs: null });
      req.destroy();
    }, timeoutMs);
    req.on('error', (err) => finish({ status: 'network', text: String(err), retryAfterMs: null }));
    req.end(body);
  });
}

async function deliver(index, body, o) {
  const out = { index, firstSentAt: Date.now(), attempts: 0, ackMs: null, ackedAt: null, ackStatus: null, failures: [], refused: null };
  const deadline = out.firstSentAt + o.retryDeadlineMs;
  for (;;) {
    out.attempts += 1;
    const r = await attempt(o.url, o.secret, body, o.attemptTimeoutMs);
    if (typeof r.status === 'number' && r.status >= 200 && r.status < 300) {
      out.ackMs = r.ms;
      out.ackedAt = Date.now();
      out.ackStatus = JSON.parse(r.text).status ?? 'ok';
      return out;
    }
    if (typeof r.status === 'number' && r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429) {
      out.refused = { status: r.status, body: r.text.slice(0, 300) };
      return out;
    }
    out.failures.push(r.status === 503 && isShed(r.text) ? SHED_FAILURE : String(r.status));
    const delay = retryDelayMs(out.failures.length, r.retryAfterMs);
    if (Date.now() + delay > deadline) return out;
    await sleep(delay);
  }
}

/** Open loop: sends every body at `ratePerSecond` whatever the answers; resolves when each is acknowledged, refused or given up. */
export async function drive(bodies, o) {
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  const startedAt = Date.now();
  const pending = [];
  let i = 0;
  while (i < bodies.length) {
    const due = Math.min(bodies.length, Math.floor(((Date.now() - startedAt) / 1000) * o.ratePerSecond) + 1);
    while (i < due) pending.push(deliver(i, bodies[i], o)), (i += 1);
    await sleep(5);
  }
  const lastSentAt = Date.now();
  const outcomes = await Promise.all(pending);
  loopDelay.disable();
  return { outcomes, startedAt, lastSentAt, loopDelayP99Ms: loopDelay.percentile(99) / 1e6, loopDelayMaxMs: loopDelay.max / 1e6 };
}

if (parentPort && workerData?.role === 'storm-sender') {
  const { bodies, options, signCheck } = workerData;
  parentPort.postMessage({ kind: 'sign-check', header: sign(signCheck.secret, signCheck.body, signCheck.t) });
  drive(bodies, options).then(
    (result) => parentPort.postMessage({ kind: 'done', result }),
    (err) => parentPort.postMessage({ kind: 'error', message: String(err?.stack ?? err) }),
  );
}
