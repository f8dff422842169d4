// Helpers for the ledger's integration tests: a test attribution keypair and real AAP codes,
// a directory standing in for the merchant and checkout-session subgraphs, realistic
// `psp_event.*` jobs on `ledger-payment-events`, and the ledger invariants checked after every
// test that touches money.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { attributionSigner, money, signAttributionCode, type Money, type PaymentIntentRecord, type SubgraphApp } from '@handoff/shared';
import { Queue, QueueEvents } from 'bullmq';
import { expect } from 'vitest';
import { checkLedger } from '../src/books/ledger-check.js';
import { CommissionType } from '../src/commission/commission.js';
import { FIRST_PAYMENT_ONLY } from '../src/commission/recurring-commission.js';
import type { AgentView, Directory, MerchantView } from '../src/ports/directory.js';
import { LEDGER_PAYMENT_EVENTS_QUEUE, type PspEventJob, type PspEventPayload } from '../src/payment-events/psp-event.js';
import { createApp, loadConfig } from '../src/index.js';
import { testEnv } from '../../../test/support/env.js';

export const id = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 20)}`;

export function testKeys(kid = 'test-k1') {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    kid,
    signer: attributionSigner('handoff.test', kid, privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64')),
    publicKeys: { [kid]: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') },
  };
}

/** A recommendation as checkout-session records it (its ids are what the AAP code signs). */
export interface RecommendationView {
  id: string;
  sessionId: string | null;
  offerId: string | null;
  merchantId: string | null;
  agentId: string | null;
}

/** Stands in for the merchant and checkout-session subgraphs. */
export class FakeDirectory implements Directory {
  merchants = new Map<string, MerchantView>();
  agents = new Map<string, AgentView>();
  sessions = new Map<string, { id: string; agentId: string | null; merchantIds: Set<string> }>();
  merchant = async (i: string) => this.merchants.get(i) ?? null;
  agent = async (i: string) => this.agents.get(i) ?? null;
  /** As checkout-session answers: only a session holding a recommendation of that merchant's offers. */
  agentSession = async (i: string, merchantId: string) => {
    const s = this.sessions.get(i);
    return s?.merchantIds.has(merchantId) ? { id: s.id, agentId: s.agentId } : null;
  };

  addMerchant(over: Partial<MerchantView> & { terms?: Partial<MerchantView['terms']> } = {}): MerchantView {
    const m: MerchantView = {
      id: id('mer'),
      status: 'ACTIVE',
      defaultCurrency: 'GBP',
      validationPeriodDays: 36500,
      flow: { type: 'instant_checkout', steps: ['payment_received', 'order_confirmed'], payableAfter: 'order_confirmed' },
      ...over,
      terms: { type: CommissionType.CPA, cpaMinor: 800, cpaCurrency: over.defaultCurrency ?? 'GBP', percentageBps: null, recurring: FIRST_PAYMENT_ONLY, ...over.terms },
    };
    this.merchants.set(m.id, m);
    return m;
  }

  addAgent(registered: boolean | null): AgentView {
    const a: AgentView = { id: id('agt'), builder: registered === null ? null : { id: id('bld'), registered } };
    this.agents.set(a.id, a);
    return a;
  }

  /** A recorded recommendation with its session, and the checkout session (and its total) of its payment. */
  addRecommendation(merchantId: string, agentId: string, total: Money) {
    const r: RecommendationView = { id: id('rec'), sessionId: id('ses'), offerId: id('off'), merchantId, agentId };
    this.sessions.set(r.sessionId!, { id: r.sessionId!, agentId, merchantIds: new Set([merchantId]) });
    return { ...r, checkoutSessionId: id('cs'), total };
  }
}

export type Keys = ReturnType<typeof testKeys>;

/**
 * A `psp_event.succeeded` payload as payment-intent relays it, with a real AAP code and
 * payment-intent's record of the intent checkout-session created for the checkout session
 * (its attribution ids and total); `intent` changes that record.
 */
export function succeededPayload(
  keys: Keys,
  rec: ReturnType<FakeDirectory['addRecommendation']>,
  opts: { amountMinor?: number; currency?: string; paymentId?: string; eventId?: string; created?: number; expiresAt?: number;
    code?: string | null; metadata?: Record<string, string>; status?: string; codeAmountMinor?: number;
    intent?: (record: PaymentIntentRecord) => PaymentIntentRecord } = {},
): PspEventPayload {
  const amount = opts.amountMinor ?? 1000;
  const currency = opts.currency ?? 'GBP';
  const now = opts.created ?? Math.floor(Date.now() / 1000);
  const code = opts.code === undefined
    ? signAttributionCode(keys.signer, {
        recommendationId: rec.id, sessionId: rec.sessionId!, checkoutSessionId: rec.checkoutSessionId, offerId: rec.offerId!, merchantId: rec.merchantId!,
        agentId: rec.agentId!, amountMinor: opts.codeAmountMinor ?? amount, currency, issuedAt: now - 60, expiresAt: opts.expiresAt ?? now + 3600,
      })
    : opts.code;
  const metadata: Record<string, string> = {
    ...(code ? { aap_code: code } : {}),
    aap_recommendation_id: rec.id, aap_session_id: rec.sessionId!, aap_offer_id: rec.offerId!,
    aap_merchant_id: rec.merchantId!, aap_agent_id: rec.agentId!, aap_checkout_session_id: rec.checkoutSessionId,
    ...opts.metadata,
  };
  const paymentId = opts.paymentId ?? `pi_${randomBytes(8).toString('hex')}`;
  const record: PaymentIntentRecord = {
    id: id('pi'), status: 'succeeded', amountMinor: rec.total.amountMinor, currency: rec.total.currency,
    amountCapturedMinor: rec.total.amountMinor, amountRefundedMinor: 0, merchantId: rec.merchantId!,
    checkoutSessionId: rec.checkoutSessionId, checkoutTotal: { amountMinor: rec.total.amountMinor, currency: rec.total.currency },
    provider: 'test', providerPaymentId: paymentId,
    // What checkout-session wrote on the intent: the attribution from its own records.
    metadata: {
      ...(code ? { aap_code: code } : {}),
      aap_recommendation_id: rec.id, aap_session_id: rec.sessionId!, aap_offer_id: rec.offerId!,
      aap_merchant_id: rec.merchantId!, aap_agent_id: rec.agentId!, handoff_checkout_session_id: rec.checkoutSessionId,
    },
  };
  return {
    provider: 'test',
    merchantId: rec.merchantId!,
    pspEvent: { id: opts.eventId ?? `evt_${randomBytes(8).toString('hex')}`, type: 'payment_intent.succeeded', created: now },
    object: { id: paymentId, amount, currency: currency.toLowerCase(), status: opts.status ?? 'succeeded', metadata },
    paymentIntent: opts.intent ? opts.intent(record) : record,
  };
}

/** A follow-up event (refund, dispute) for the payment of `base`. */
export function followUp(base: PspEventPayload, type: string, object: Partial<PspEventPayload['object']>): PspEventPayload {
  const created = base.pspEvent.created + 60;
  return { ...base, pspEvent: { id: `evt_${randomBytes(8).toString('hex')}`, type, created }, object: { ...base.object, ...object } };
}

let outboxSeq = 0;

/** Enqueues jobs as payment-intent's relay would, and waits for each to finish. */
export class PaymentEventFeed {
  readonly queue: Queue<PspEventJob>;
  readonly events: QueueEvents;

  constructor(redisUrl: string, prefix: string) {
    const connection = { url: redisUrl };
    this.queue = new Queue<PspEventJob>(LEDGER_PAYMENT_EVENTS_QUEUE, { connection, prefix });
    this.events = new QueueEvents(LEDGER_PAYMENT_EVENTS_QUEUE, { connection, prefix });
  }

  /** `retryDelayMs`: the job's backoff between attempts (as payment-intent's relay sets it, 1 s doubling; here fixed). */
  async send(kind: string, payload: PspEventPayload, retryDelayMs = 200): Promise<string> {
    const outboxId = String(++outboxSeq + Date.now() * 1000);
    const data: PspEventJob = {
      outboxId, schema: 'payment', topic: `psp_event.${kind}`, aggregateId: payload.object.id,
      payload: payload as PspEventJob['payload'], createdAt: new Date().toISOString(),
    };
    const job = await this.queue.add(data.topic, data, { jobId: `payment-outbox-${outboxId}`, attempts: 3, backoff: { type: 'fixed', delay: retryDelayMs } });
    return (await job.waitUntilFinished(this.events, 20_000)) as string;
  }

  async close(): Promise<void> {
    await this.events.close();
    await this.queue.close();
  }
}

export async function startLedger(directory: Directory, keys: Keys, extraEnv: Record<string, string> = {}) {
  const env = testEnv();
  const secret = randomBytes(32).toString('hex');
  const app: SubgraphApp = await createApp(
    loadConfig({
      DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, QUEUE_PREFIX: env.queuePrefix, NODE_ENV: 'test',
      HANDOFF_INTERNAL_SECRET: secret, LOG_LEVEL: 'silent', AAP_PUBLIC_KEYS: JSON.stringify(keys.publicKeys), ...extraEnv,
    }),
    { directory },
  );
  await app.migrate();
  const server = await app.listen(0);
  return { app, server, secret, env };
}

/** The ledger invariants of RELIABILITY.md, checked after every test that touches money. */
export async function expectBooksBalanced(app: SubgraphApp): Promise<void> {
  const check = await checkLedger(app.dataSource);
  expect(check, JSON.stringify(check)).toMatchObject({
    balanced: true, unbalancedTransactions: [], balanceMismatches: [], conversionMismatches: [], overdrawnAccounts: [],
  });
  if (check.entries > 0) {
    // Append-only, enforced by the database: UPDATE and DELETE are refused.
    await expect(app.dataSource.query(`UPDATE ledger.ledger_entries SET amount_minor = amount_minor WHERE id = (SELECT min(id) FROM ledger.ledger_entries)`))
      .rejects.toThrow(/append-only/);
    await expect(app.dataSource.query(`DELETE FROM ledger.ledger_entries WHERE id = (SELECT min(id) FROM ledger.ledger_entries)`))
      .rejects.toThrow(/append-only/);
  }
}

export const gbp = (minor: number) => money(minor, 'GBP');
