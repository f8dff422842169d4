// The `audit.*` channel: every state change and configuration change, with who made it (issue 19,
// seed 003 §17 "audit of checkout state changes (admin only)"). Each package writes ONE outbox row
// per change with `auditOutboxEvent(...)` in the transaction of the change (where it already writes
// an event for the change, as a further row of the same INSERT), and routes `audit.*` to
// AUDIT_LOG_QUEUE. The merchant subgraph consumes that queue into merchant.audit_log (append-only,
// unique per source outbox row, so a re-added job writes nothing twice) and serves it to admins.
//
// Written once here: producers build the payload, the merchant subgraph reads it (parseAuditPayload).
import { currentActor, currentRequestId } from '../logging/logger.js';
import type { OutboxEvent } from '../outbox/outbox.js';
import { isActor, serviceActor, type Actor } from '../identity/actor.js';
import { canonicalJson } from '../idempotency/canonical-json.js';

/** The queue the merchant subgraph's audit intake consumes (docs/internal-contracts.md). */
export const AUDIT_LOG_QUEUE = 'audit-log-entries';

export const AUDIT_TOPIC_PREFIX = 'audit.';
/** The outboxRoutes pattern a producer routes to AUDIT_LOG_QUEUE. */
export const AUDIT_TOPIC_PATTERN = `${AUDIT_TOPIC_PREFIX}*`;

/** What an audit row is about; a producer adds its types here. */
export const AUDIT_ENTITY_TYPES = [
  // merchant subgraph (configuration)
  'merchant',
  'offer',
  'agent',
  'builder',
  'api_key',
  'payment_connector',
  'shipping_config',
  'tax_config',
  'promotion',
  'pricing_provider',
  'webhook_endpoint',
  /** A merchant portal user (docs/portal-auth.md): `created` (an invitation accepted), `role_changed`, `removed`; never a password or its hash. */
  'merchant_user',
  /** A merchant portal invitation: `created` (never its token or hash). */
  'merchant_user_invitation',
  /** A merchant's checkout settings, capabilities or transaction limits (entity id `<merchant>:settings|capabilities|limits`). */
  'checkout_settings',
  /** A merchant's billing settings: the dunning schedule of its subscriptions (entity id `<merchant>:dunning`, issue 22). */
  'billing_settings',
  // checkout-session
  'checkout_session',
  // payment-intent
  'payment_intent',
  /** A merchant's risk rules and thresholds, and its fraud provider's webhook secret (entity id: the merchant's). */
  'risk_settings',
  /** A billing subscription (issue 22): created, and each change of its status or period. */
  'billing_subscription',
  // conversion-ledger
  'conversion',
  'settlement_batch',
] as const;
export type AuditEntityType = (typeof AUDIT_ENTITY_TYPES)[number];

export const AUDIT_ACTION_PATTERN = /^[a-z][a-z_]{0,40}$/;
/** The most `before` or `after` may weigh as JSON; a larger side is kept as `{ truncated: true, bytes }`. */
export const AUDIT_SNAPSHOT_MAX_BYTES = 32 * 1024;

/** What a producer writes (the outbox row's payload). */
export interface AuditEventPayload {
  entityType: AuditEntityType;
  entityId: string;
  /** The merchant the entity belongs to (null for platform-level things: an agent, a builder, an admin key). */
  merchantId?: string | null;
  /** What happened, lower snake case: `created`, `updated`, `deleted`, `revoked`, a status (`completed`, `succeeded`). */
  action: string;
  actor: Actor;
  /** The request that made the change (null for a scheduled job). */
  requestId: string | null;
  /** ISO 8601. */
  at: string;
  /** The entity's audited fields before and after; omitted for a creation's before, a deletion's after. Never a secret. */
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

export interface AuditChange {
  entityType: AuditEntityType;
  entityId: string;
  merchantId?: string | null;
  action: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

/**
 * The outbox row of one change (topic `audit.<entityType>.<action>`, aggregate = the entity),
 * stamped with the request's actor and id; `fallbackActor` (the package, as a service) when no
 * request is acting (a scheduled job, a queue consumer).
 */
export function auditOutboxEvent(change: AuditChange, fallbackActor: Actor | string): OutboxEvent {
  const actor = currentActor() ?? (typeof fallbackActor === 'string' ? serviceActor(fallbackActor) : fallbackActor);
  const payload: AuditEventPayload = {
    entityType: change.entityType,
    entityId: change.entityId,
    merchantId: change.merchantId ?? null,
    action: change.action,
    actor,
    requestId: currentRequestId() ?? null,
    at: new Date().toISOString(),
    before: change.before ?? null,
    after: change.after ?? null,
  };
  return { topic: `${AUDIT_TOPIC_PREFIX}${change.entityType}.${change.action}`, aggregateId: change.entityId, payload: payload as unknown as Record<string, unknown> };
}

export type ParsedAuditPayload = Omit<AuditEventPayload, 'entityType'> & { entityType: string; merchantId: string | null; before: Record<string, unknown> | null; after: Record<string, unknown> | null };

const snapshot = (v: unknown): Record<string, unknown> | null | 'bad' => {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) return 'bad';
  const bytes = Buffer.byteLength(JSON.stringify(v));
  return bytes > AUDIT_SNAPSHOT_MAX_BYTES ? { truncated: true, bytes } : (v as Record<string, unknown>);
};

/** The row as the consumer keeps it, or what is wrong with it. */
export function parseAuditPayload(value: unknown): { ok: true; entry: ParsedAuditPayload } | { ok: false; problem: string } {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, problem: 'payload is not an object' };
  const p = value as Record<string, unknown>;
  const text = (k: string, max = 200) => typeof p[k] === 'string' && (p[k] as string).length > 0 && (p[k] as string).length <= max;
  if (typeof p.entityType !== 'string' || !AUDIT_ACTION_PATTERN.test(p.entityType)) return { ok: false, problem: 'entityType' };
  if (!text('entityId')) return { ok: false, problem: 'entityId' };
  if (p.merchantId !== undefined && p.merchantId !== null && !text('merchantId')) return { ok: false, problem: 'merchantId' };
  if (typeof p.action !== 'string' || !AUDIT_ACTION_PATTERN.test(p.action)) return { ok: false, problem: 'action' };
  if (!isActor(p.actor)) return { ok: false, problem: 'actor' };
  if (p.requestId !== undefined && p.requestId !== null && !text('requestId')) return { ok: false, problem: 'requestId' };
  if (typeof p.at !== 'string' || Number.isNaN(Date.parse(p.at))) return { ok: false, problem: 'at' };
  const before = snapshot(p.before);
  const after = snapshot(p.after);
  if (before === 'bad') return { ok: false, problem: 'before' };
  if (after === 'bad') return { ok: false, problem: 'after' };
  return {
    ok: true,
    entry: {
      entityType: p.entityType,
      entityId: p.entityId as string,
      merchantId: (p.merchantId as string | null | undefined) ?? null,
      action: p.action,
      actor: p.actor,
      requestId: (p.requestId as string | null | undefined) ?? null,
      at: new Date(p.at).toISOString(),
      before,
      after,
    },
  };
}

/** The fields of `after` whose values differ from `before`'s (both sides); for an update's before/after. */
export function changedFields(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): { before: Record<string, unknown>; after: Record<string, unknown> } | null {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => canonicalJson(before[k]) !== canonicalJson(after[k]));
  if (keys.length === 0) return null;
  return { before: Object.fromEntries(keys.map((k) => [k, before[k] ?? null])), after: Object.fromEntries(keys.map((k) => [k, after[k] ?? null])) };
}
