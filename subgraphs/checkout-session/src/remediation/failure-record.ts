// How a checkout's failures are written, in the caller's transaction: recorded (a session has at
// most one open failure; a further one of the same session adds to it: its latest reason, one
// more occurrence) and resolved. Used by the payment commitment (CHECKOUT_NOT_READY refusals), the
// payment events (a declined attempt, a payment for another amount), the session completing, and
// the remediation service; the risk checks record `fraud_block` the same way.
import type { Actor } from '@handoff/shared';
import { ulid } from 'ulid';
import type { EntityManager } from 'typeorm';
import { table } from '../events.js';
import type { Blocker } from '../calculation/index.js';
import { CheckoutFailureEntity, type FailureCategory, type Resolution } from './remediation.entity.js';

export const newFailureId = () => `cfl_${ulid()}`;

export interface FailureSpec {
  checkoutSessionId: string;
  merchantId: string;
  category: FailureCategory;
  /** `payment_declined:<decline code>`, or the category itself. */
  reason: string;
  message: string;
  detail?: Record<string, unknown>;
  paymentIntentId?: string | null;
  at: Date;
  actor: Actor;
  /** The event that reported it (`<schema>:<outbox id>`), so a redelivery adds nothing. */
  sourceEvent?: string | null;
}

/** Records the failure (or adds it to the session's open one); false when `sourceEvent` was already recorded. */
export async function recordFailure(manager: EntityManager, f: FailureSpec): Promise<boolean> {
  const rows = (await manager.query(
    `INSERT INTO ${table('checkout_failures')} AS f (id, checkout_session_id, merchant_id, category, reason, message, detail, payment_intent_id,
            first_failed_at, last_failed_at, recorded_by_kind, recorded_by_id, last_source_event)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $9, $10, $11, $12)
     ON CONFLICT (checkout_session_id) WHERE resolved_at IS NULL DO UPDATE SET
       category = EXCLUDED.category, reason = EXCLUDED.reason, message = EXCLUDED.message, detail = EXCLUDED.detail,
       payment_intent_id = COALESCE(EXCLUDED.payment_intent_id, f.payment_intent_id), occurrences = f.occurrences + 1,
       last_failed_at = GREATEST(f.last_failed_at, EXCLUDED.last_failed_at),
       recorded_by_kind = EXCLUDED.recorded_by_kind, recorded_by_id = EXCLUDED.recorded_by_id, last_source_event = EXCLUDED.last_source_event
     WHERE f.last_source_event IS DISTINCT FROM EXCLUDED.last_source_event OR EXCLUDED.last_source_event IS NULL
     RETURNING f.id`,
    [
      newFailureId(), f.checkoutSessionId, f.merchantId, f.category, f.reason.slice(0, 200), f.message.slice(0, 2000), JSON.stringify(f.detail ?? {}),
      f.paymentIntentId ?? null, f.at, f.actor.kind, f.actor.id, f.sourceEvent ?? null,
    ],
  )) as Array<{ id: string }>;
  return rows.length > 0;
}

/** Whether an event at `at` (`sourceEvent`) is already recorded, or older than a resolution of the session (it must not reopen it). */
export async function isStaleFailureEvent(manager: EntityManager, checkoutSessionId: string, at: Date, sourceEvent: string | null): Promise<boolean> {
  const rows = (await manager.query(
    `SELECT 1 FROM ${table('checkout_failures')}
      WHERE checkout_session_id = $1 AND ((last_source_event = $3) OR (resolved_at IS NOT NULL AND resolved_at >= $2)) LIMIT 1`,
    [checkoutSessionId, at, sourceEvent],
  )) as unknown[];
  return rows.length > 0;
}

export interface ResolutionSpec {
  resolution: Resolution;
  actor: Actor;
  note?: string | null;
  detail?: Record<string, unknown> | null;
}

/** Resolves the session's open failure, if it has one; the row as resolved, or null. */
export async function resolveOpenFailure(manager: EntityManager, checkoutSessionId: string, r: ResolutionSpec): Promise<CheckoutFailureEntity | null> {
  const [rows] = (await manager.query(
    `UPDATE ${table('checkout_failures')} SET resolved_at = clock_timestamp(), resolved_by_kind = $2, resolved_by_id = $3, resolution = $4,
            resolution_note = $5, resolution_detail = $6::jsonb
      WHERE checkout_session_id = $1 AND resolved_at IS NULL RETURNING id`,
    [checkoutSessionId, r.actor.kind, r.actor.id, r.resolution, r.note ?? null, r.detail ? JSON.stringify(r.detail) : null],
  )) as [Array<{ id: string }>, number];
  const id = rows[0]?.id;
  return id ? manager.findOneByOrFail(CheckoutFailureEntity, { id }) : null;
}

/** What a CHECKOUT_NOT_READY refusal records: inventory_shortfall when a line is short, else validation. */
export function refusalFailure(blockers: readonly Pick<Blocker, 'code' | 'message'>[]): { category: FailureCategory; reason: string } {
  return blockers.some((b) => b.code === 'inventory_shortfall')
    ? { category: 'inventory_shortfall', reason: 'inventory_shortfall' }
    : { category: 'validation', reason: 'validation' };
}
