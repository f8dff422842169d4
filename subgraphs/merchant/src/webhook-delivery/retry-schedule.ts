// When a failed delivery is attempted again: exponential backoff with jitter over a 3-day window
// (docs/api.md, "Outbound webhooks"). With the default base of 5 s the waits after the 1st, 2nd, …
// failed attempt are about 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h, then every 6 h, each
// ±20 %; an attempt that would fall after the window's end is not made and the delivery FAILS.
// The window starts at the event (or at a replay). WEBHOOK_RETRY_BASE_MS scales the waits (tests
// use a few ms), not the window.

export const RETRY_WINDOW_MS = 3 * 24 * 60 * 60 * 1000;
export const DEFAULT_RETRY_BASE_MS = 5000;

/** The waits in units of the base (5 s): 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h, then 6 h. */
const STEPS = [1, 6, 24, 120, 360, 720, 2160] as const;
const LAST_STEP = 4320;
const JITTER = 0.2;

export interface RetryPolicy {
  baseMs: number;
  windowMs: number;
  /** In [0, 1): the jitter's draw (Math.random by default; tests pin it). */
  random?: () => number;
}

/** The wait before the next attempt after `failedAttempts` (≥ 1) failed ones in this round, jitter included. */
export function retryDelayMs(failedAttempts: number, policy: RetryPolicy): number {
  const step = STEPS[failedAttempts - 1] ?? LAST_STEP;
  const factor = 1 - JITTER + 2 * JITTER * (policy.random ?? Math.random)();
  return Math.max(1, Math.round(step * policy.baseMs * factor));
}

/** When to attempt next, or null when that would fall after the window (the delivery fails). */
export function nextAttemptAt(failedAttempts: number, armedAt: Date, now: Date, policy: RetryPolicy): Date | null {
  const at = new Date(now.getTime() + retryDelayMs(failedAttempts, policy));
  return at.getTime() > armedAt.getTime() + policy.windowMs ? null : at;
}
