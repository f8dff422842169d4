// PSP connectivity for the operators' health report (GET /v1/checkout/health at the gateway,
// through shared/src/http/operations-health.ts): the sandbox PSP's readiness at PSP_SANDBOX_URL,
// and Stripe's API where STRIPE_API_URL points at one (stripe-mock or a double). Stripe's own
// API is not probed from here: a health report calls no third party.
import type { HealthProbe, HealthReport, HealthStatus } from '@handoff/shared';

export interface PspHealthOptions {
  sandbox: { url: string; adminKey: string | undefined };
  stripe: { apiUrl?: string };
  timeoutMs?: number;
}

const RANK: Record<HealthStatus, number> = { ok: 0, degraded: 1, down: 2 };

export function pspHealth(opts: PspHealthOptions): HealthProbe {
  const timeoutMs = opts.timeoutMs ?? 2_000;
  return async () => {
    const parts: HealthReport[] = [await sandbox(opts.sandbox, timeoutMs)];
    if (opts.stripe.apiUrl) parts.push(await stripe(opts.stripe.apiUrl, timeoutMs));
    else parts.push({ status: 'ok', detail: "Stripe: its own API (not probed)" });
    const status = parts.reduce<HealthStatus>((worst, p) => (RANK[p.status] > RANK[worst] ? p.status : worst), 'ok');
    return { status, detail: parts.map((p) => p.detail).join('; ') };
  };
}

async function sandbox(s: PspHealthOptions['sandbox'], timeoutMs: number): Promise<HealthReport> {
  const started = Date.now();
  const url = new URL('/health/ready', s.url);
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    if (res.status !== 200) return { status: 'down', detail: `sandbox PSP at ${url.origin}: not ready (HTTP ${res.status})` };
  } catch (err) {
    return { status: 'down', detail: `sandbox PSP at ${url.origin}: unreachable (${reason(err)})` };
  }
  const took = Date.now() - started;
  if (!s.adminKey) return { status: 'degraded', detail: `sandbox PSP at ${url.origin}: ready in ${took} ms, but PSP_SANDBOX_ADMIN_KEY is not set (TEST payments fail)` };
  return { status: 'ok', detail: `sandbox PSP at ${url.origin}: ready in ${took} ms` };
}

/** Any HTTP answer means the API is reachable (it wants a key for anything more). */
async function stripe(apiUrl: string, timeoutMs: number): Promise<HealthReport> {
  const started = Date.now();
  const origin = new URL(apiUrl).origin;
  try {
    const res = await fetch(new URL('/v1/balance', apiUrl), { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return { status: res.status >= 500 ? 'degraded' : 'ok', detail: `Stripe API at ${origin}: HTTP ${res.status} in ${Date.now() - started} ms` };
  } catch (err) {
    return { status: 'down', detail: `Stripe API at ${origin}: unreachable (${reason(err)})` };
  }
}

function reason(err: unknown): string {
  const e = err as { name?: string; cause?: { code?: string }; message?: string };
  if (e?.name === 'TimeoutError') return 'timed out';
  return e?.cause?.code ?? e?.message ?? 'error';
}
