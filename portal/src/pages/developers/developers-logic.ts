// The Developers page's pure rules (specs beside it): how an attempt reads, a datetime-local value
// as an instant, a webhook endpoint's events typed as a list, a PSP connection's mode.

export interface AttemptLike {
  succeeded: boolean;
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
}

/** "HTTP 200", "HTTP 500 (failed)", "timeout". */
export function attemptOutcome(a: AttemptLike): string {
  if (a.statusCode !== null) return a.succeeded ? `HTTP ${a.statusCode}` : `HTTP ${a.statusCode} (failed)`;
  return a.error ?? (a.succeeded ? 'delivered' : 'failed');
}

/** The latest attempt's latency ("42 ms"), or an em dash before any attempt. */
export function lastLatency(attempts: readonly AttemptLike[]): string {
  const last = attempts[attempts.length - 1];
  return last ? `${last.latencyMs} ms` : '—';
}

/** A datetime-local input's value ("2026-12-06T19:30" or with seconds), read in the reader's time zone, as an ISO instant; undefined when empty or not a time. */
export function localInputToIso(value: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value)) return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

/** "payment.succeeded, checkout.completed" or "*" → the list the server takes (trimmed, no empties, no duplicates). */
export function parseEventList(text: string): string[] {
  const seen = new Set<string>();
  for (const part of text.split(/[\s,]+/)) if (part) seen.add(part);
  return [...seen];
}

/** How the endpoint's events read in the list. */
export function eventsLabel(events: readonly string[]): string {
  return events.includes('*') ? 'All events' : events.join(', ');
}

/** A PSP connection's mode: the sandbox, or Stripe's test or live mode as its publishable key says. */
export function connectionMode(provider: 'TEST' | 'STRIPE', publishableKey: string | null): string {
  if (provider === 'TEST') return 'Sandbox (Handoff’s test PSP)';
  if (publishableKey?.startsWith('pk_live_')) return 'Live';
  if (publishableKey?.startsWith('pk_test_')) return 'Test';
  return 'Unknown (no publishable key on file)';
}
