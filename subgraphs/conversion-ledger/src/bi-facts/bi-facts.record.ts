// Events → BI facts (docs/bi.md): each event of the BI facts channel (bi-facts.contract.ts) is
// one or two rows of `ledger.bi_facts`, written once (`fact_key` unique: a redelivered job, a
// second `agent_session.active` or a replayed payment event writes nothing). What each fact
// carries comes from the event only: no subgraph is asked anything.
import {
  AGENT_SESSION_STARTED_TOPIC, CHECKOUT_SESSION_CREATED_TOPIC, money, PAYMENT_INTENT_REFUNDED_TOPIC, PAYMENT_INTENT_SUCCEEDED_TOPIC,
  RECOMMENDATION_CREATED_TOPIC, type BiFactKind, type OutboxJobData, type PaymentIntentEventPayload, type RecommendationCreatedPayload,
} from '@handoff/shared';
import type { DataSource, EntityManager } from 'typeorm';

export interface FactRow {
  kind: BiFactKind;
  factKey: string;
  subjectId: string;
  occurredAt: string;
  merchantId: string | null;
  agentId: string | null;
  offerId: string | null;
  agentSessionId: string | null;
  currency: string | null;
  amountMinor: number | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const channelOf = (agentId: string | null) => (agentId ? 'AGENT' : 'DIRECT');

/** An ISO instant from the event, or the outbox row's time when the event has none. */
function instant(v: unknown, fallback: string): string {
  const s = str(v);
  return s && !Number.isNaN(Date.parse(s)) ? new Date(s).toISOString() : new Date(fallback).toISOString();
}

/** The facts of an event of checkout-session (agent sessions, recommendations, checkouts); [] for another topic. */
export function checkoutFacts(job: OutboxJobData): FactRow[] {
  const p = job.payload as Record<string, any>;
  if (job.topic === AGENT_SESSION_STARTED_TOPIC) {
    const s = p.agentSession ?? {};
    const id = str(s.id);
    if (!id) return [];
    // A session of no merchant yet: its copies per merchant and offer come with its recommendations.
    return [{ kind: 'AGENT_SESSION', factKey: `AGENT_SESSION:${id}`, subjectId: id, occurredAt: instant(null, job.createdAt), merchantId: null, agentId: str(s.agentId), offerId: null, agentSessionId: id, currency: null, amountMinor: null }];
  }
  if (job.topic === RECOMMENDATION_CREATED_TOPIC) {
    const r = (p as unknown as RecommendationCreatedPayload).recommendation;
    if (!r?.id) return [];
    const base = { merchantId: r.merchantId, agentId: r.agentId, offerId: r.offerId, agentSessionId: r.agentSessionId, amountMinor: null };
    return [
      { ...base, kind: 'RECOMMENDATION', factKey: `RECOMMENDATION:${r.id}`, subjectId: r.id, occurredAt: instant(r.createdAt, job.createdAt), currency: r.currency ?? null },
      // The session, counted for this merchant and offer too (distinct sessions: docs/bi.md), at its start.
      {
        ...base, kind: 'AGENT_SESSION', factKey: `AGENT_SESSION:${r.agentSessionId}:${r.merchantId}:${r.offerId}`, subjectId: r.agentSessionId,
        occurredAt: instant(r.agentSessionStartedAt, job.createdAt), currency: null,
      },
    ];
  }
  if (job.topic === CHECKOUT_SESSION_CREATED_TOPIC) {
    const c = p.checkoutSession ?? {};
    const id = str(c.id);
    if (!id) return [];
    return [{
      kind: 'CHECKOUT', factKey: `CHECKOUT:${id}`, subjectId: id, occurredAt: instant(null, job.createdAt), merchantId: str(c.merchantId), agentId: str(c.agentId),
      offerId: str(c.offerId), agentSessionId: str(c.agentSessionId), currency: str(c.currency), amountMinor: null,
    }];
  }
  return [];
}

/** The payment's dimensions, from payment-intent's own record (the `aap_*` attribution checkout-session wrote). */
function paymentBase(p: PaymentIntentEventPayload) {
  const pi = p.paymentIntent;
  const m = pi.metadata ?? {};
  return { merchantId: pi.merchantId, agentId: str(m.aap_agent_id), offerId: str(m.aap_offer_id), agentSessionId: str(m.aap_session_id), currency: pi.currency };
}

/** `payment_intent.succeeded` → PAYMENT (GMV: what was captured, else the amount). */
export function paymentFact(job: OutboxJobData): FactRow | null {
  const p = job.payload as unknown as PaymentIntentEventPayload;
  if (job.topic !== PAYMENT_INTENT_SUCCEEDED_TOPIC || !p.paymentIntent?.id) return null;
  const pi = p.paymentIntent;
  const amount = money(pi.amountCapturedMinor > 0 ? pi.amountCapturedMinor : pi.amountMinor, pi.currency);
  return { ...paymentBase(p), kind: 'PAYMENT', factKey: `PAYMENT:${pi.id}`, subjectId: pi.id, occurredAt: instant(p.occurredAt, job.createdAt), currency: amount.currency, amountMinor: amount.amountMinor };
}

/**
 * `payment_intent.refunded` → REFUND of the increase of the intent's refunded total over the
 * REFUND facts already recorded for it (under a lock per intent): two partial refunds are two
 * facts, a redelivery or an event older than one already seen (a smaller total) is none, so the
 * facts of an intent always add up to the largest refunded total reported.
 */
async function recordRefund(manager: EntityManager, job: OutboxJobData, source: string): Promise<number> {
  const p = job.payload as unknown as PaymentIntentEventPayload;
  const pi = p.paymentIntent;
  if (!pi?.id) return 0;
  const total = money(pi.amountRefundedMinor, pi.currency);
  await manager.query(`SELECT pg_advisory_xact_lock(hashtext('ledger.bi_refund'), hashtext($1))`, [pi.id]);
  const [seen] = (await manager.query(`SELECT coalesce(sum(amount_minor), 0)::text AS total FROM ledger.bi_facts WHERE kind = 'REFUND' AND subject_id = $1`, [pi.id])) as Array<{ total: string }>;
  const increase = total.amountMinor - money(seen!.total, pi.currency).amountMinor;
  if (increase <= 0) return 0;
  const fact: FactRow = {
    ...paymentBase(p), kind: 'REFUND', factKey: `REFUND:${pi.id}:${total.amountMinor}`, subjectId: pi.id, occurredAt: instant(p.occurredAt, job.createdAt),
    currency: total.currency, amountMinor: increase,
  };
  return insertFacts(manager, [fact], source);
}

/** Inserts facts once each (a fact already recorded is skipped); how many were new. */
export async function insertFacts(manager: EntityManager | DataSource, facts: readonly FactRow[], source: string): Promise<number> {
  if (facts.length === 0) return 0;
  const rows = facts.map((f) => ({ ...f, channel: channelOf(f.agentId) }));
  const inserted: unknown[] = await manager.query(
    `INSERT INTO ledger.bi_facts (kind, fact_key, subject_id, occurred_at, merchant_id, agent_id, offer_id, agent_session_id, channel, currency, amount_minor, source)
     SELECT f->>'kind', f->>'factKey', f->>'subjectId', (f->>'occurredAt')::timestamptz, f->>'merchantId', f->>'agentId', f->>'offerId',
            f->>'agentSessionId', f->>'channel', f->>'currency', (f->>'amountMinor')::bigint, $2
       FROM jsonb_array_elements($1::jsonb) AS x(f)
     ON CONFLICT (fact_key) DO NOTHING RETURNING 1`,
    [JSON.stringify(rows), source],
  );
  return inserted.length;
}

/** One job of the queue `ledger-bi-facts`: its facts, once. */
export async function recordBiFacts(dataSource: DataSource, job: OutboxJobData): Promise<number> {
  const source = `${job.schema}:${job.outboxId}`;
  if (job.topic === PAYMENT_INTENT_REFUNDED_TOPIC) return dataSource.transaction((manager) => recordRefund(manager, job, source));
  if (job.topic === PAYMENT_INTENT_SUCCEEDED_TOPIC) {
    const fact = paymentFact(job);
    return fact ? insertFacts(dataSource, [fact], source) : 0;
  }
  return insertFacts(dataSource, checkoutFacts(job), source);
}
