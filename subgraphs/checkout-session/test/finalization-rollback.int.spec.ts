// The finalization rollback job (issue 20 item 4) against real PostgreSQL: what finalization
// spent comes back once — gift-card and store-credit amounts captured (restored, with one
// `tender.*.restored` ledger event each) and the units the reservation converted (restocked on
// the built-in stock) — whatever five concurrent runs of the job do; a step that throws is retried
// (the job resumes at it, the steps already undone are not undone again); a step still failing on
// the last attempt fails the job, is recorded on the order and in the timeline, and nothing is dropped.
import { AcpOrderEvents } from '../src/acp-order/acp-order.events.js';
import { randomBytes } from 'node:crypto';
import { IdempotencyStore, type SubgraphApp } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/support/env.js';
import { createServices } from '../src/app.js';
import { SCHEMA_NAME } from '../src/events.js';
import { createApp, loadConfig } from '../src/index.js';
import { FinalizationJobs } from '../src/order/finalization-jobs.service.js';
import { FinalizationService } from '../src/order/finalization.service.js';
import { finalizationSteps, type FinalizationStep } from '../src/order/finalization.steps.js';
import type { PaymentCompensations } from '../src/ports/payment-intent.port.js';
import { reservationFinalizationStep } from '../src/reservation/reservation.finalization-step.js';
import { giftCardMerchant } from './gift-card-merchant.js';

const env = testEnv();
const { suffix, merchantId, offerId, merchant, merchants, payments, pricing } = giftCardMerchant('rb');
const totals = new Map<string, number>();
/** Refund idempotency keys seen (payment-intent refunds once per key). */
const refundKeys = new Set<string>();
const compensations: PaymentCompensations = {
  paymentState: async (id) => ({ id, status: 'SUCCEEDED', captureMode: 'AUTOMATIC', amountMinor: totals.get(id) ?? 0, currency: 'GBP' }),
  voidPayment: async () => undefined,
  refundPayment: async (_id, key) => {
    refundKeys.add(key);
  },
};

/** A step between the reservation's and the tender's undo that throws while `failures` > 0. */
function flakyStep(): FinalizationStep & { failures: number; undone: number } {
  const step = {
    name: 'flaky',
    failures: 0,
    undone: 0,
    finalize: async () => null,
    compensate: async () => {
      if (step.failures > 0) {
        step.failures--;
        throw new Error('the flaky step failed');
      }
      step.undone++;
      return null;
    },
  };
  return step;
}

let app: SubgraphApp;
let services: ReturnType<typeof createServices>;
let flaky: ReturnType<typeof flakyStep>;
let jobs: FinalizationJobs;
let finalization: FinalizationService;

const level = async () => (await services.stock.levels(merchant, offerId))[0]!;
const db = () => app.dataSource;
const cardBalance = async (id: string) => Number((await db().query(`SELECT balance_minor::text AS b FROM checkout.gift_cards WHERE id = $1`, [id]))[0].b);
const creditBalance = async (customerId: string) =>
  Number((await db().query(`SELECT balance_minor::text AS b FROM checkout.store_credit_accounts WHERE merchant_id = $1 AND customer_id = $2`, [merchantId, customerId]))[0].b);
const kinds = async (sessionId: string) =>
  ((await db().query(`SELECT kind FROM checkout.timeline_entries WHERE checkout_session_id = $1 ORDER BY id`, [sessionId])) as Array<{ kind: string }>).map((r) => r.kind);
const outboxTopics = async (sessionId: string) =>
  ((await db().query(`SELECT topic FROM checkout.outbox WHERE topic LIKE 'tender.%' AND payload->>'checkoutSessionId' = $1 ORDER BY id`, [sessionId])) as Array<{ topic: string }>).map((r) => r.topic);

/** A session of 2 units (£20): reserved, a £5 gift card and £3 of store credit applied, finalized (holds captured, units converted). */
async function finalizedSession(customerId: string) {
  const cs = await services.checkoutSessions.create(merchant, { lineItems: [{ name: 'Lamp', unitAmount: { amountMinor: 1000, currency: 'GBP' }, quantity: 2, offerId }] }, undefined);
  await services.reservations.reserve(merchant, cs.id, {});
  await services.customers.setCustomer(merchant, cs.id, { customerId });
  const card = await services.giftCards.issue(merchant, { merchantId, balance: { amountMinor: 500, currency: 'GBP' } });
  await services.giftCards.grantStoreCredit(merchant, { merchantId, customerId, amount: { amountMinor: 300, currency: 'GBP' } });
  await services.tender.applyGiftCard(merchant, cs.id, card.code);
  await services.tender.applyStoreCredit(merchant, cs.id, 300);
  const seen = (await services.checkoutSessions.findVisible(merchant, cs.id))!;
  totals.set(seen.paymentIntentId!, seen.totalMinor);
  const order = await finalization.finalize(merchant, cs.id);
  return { id: cs.id, cardId: card.giftCard.id, order };
}

beforeAll(async () => {
  const config = loadConfig({
    DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, QUEUE_PREFIX: `${env.queuePrefix}-rb-${suffix}`, NODE_ENV: 'test',
    HANDOFF_INTERNAL_SECRET: randomBytes(32).toString('hex'), LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  });
  app = await createApp(config, { merchants, payments, pricing, compensations });
  await app.migrate();
  const outbox = { notify: () => undefined };
  services = createServices({ dataSource: app.dataSource, config, outbox, merchants, payments, pricing, compensations });
  flaky = flakyStep();
  // Undone in reverse: the reservation, the flaky step, then the tender.
  const steps = finalizationSteps([flaky, reservationFinalizationStep(services.reservations)]);
  finalization = new FinalizationService(app.dataSource, compensations, steps, outbox);
  jobs = new FinalizationJobs(app.dataSource, new IdempotencyStore(app.dataSource, SCHEMA_NAME), finalization, compensations, steps, outbox, config.logger, new AcpOrderEvents({ publicBaseUrl: config.publicBaseUrl, internalSecret: config.internalSecret }));
  await services.stock.setStock(merchant, offerId, 10, null);
});

afterAll(async () => {
  await app?.close();
});

describe('finalization rollback', () => {
  it('restores captured gift card and store credit and restocks converted units once, whatever 5 concurrent runs of the job do', async () => {
    const s = await finalizedSession(`cust-a-${suffix}`);
    expect(await cardBalance(s.cardId)).toBe(0);
    expect(await creditBalance(`cust-a-${suffix}`)).toBe(0);
    const before = await level();
    expect(await outboxTopics(s.id)).toEqual(['tender.gift_card.redeemed', 'tender.store_credit.redeemed']);

    const { job } = await jobs.rollback(merchant, s.id, 'customer changed their mind');
    const runs = await Promise.allSettled(Array.from({ length: 5 }, () => jobs.runRollback(job.id, false)));
    expect(runs.filter((r) => r.status === 'rejected')).toEqual([]);

    expect(await cardBalance(s.cardId)).toBe(500);
    expect(await creditBalance(`cust-a-${suffix}`)).toBe(300);
    expect(await level()).toMatchObject({ onHand: before.onHand + 2, reserved: before.reserved });
    expect(await outboxTopics(s.id)).toEqual(['tender.gift_card.redeemed', 'tender.store_credit.redeemed', 'tender.gift_card.restored', 'tender.store_credit.restored']);
    const holds = await db().query(`SELECT status FROM checkout.tender_holds WHERE checkout_session_id = $1`, [s.id]);
    expect(holds).toEqual([{ status: 'restored' }, { status: 'restored' }]);
    const k = await kinds(s.id);
    expect(k.filter((x) => x === 'inventory.restocked')).toHaveLength(1);
    expect(k.filter((x) => x === 'order.step_compensated')).toHaveLength(2); // inventory and tender (the flaky step had nothing to say)
    expect(k.filter((x) => x === 'order.rolled_back')).toHaveLength(1);
    const [order] = await db().query(`SELECT status, steps FROM checkout.orders WHERE id = $1`, [s.order.id]);
    expect(order.status).toBe('ROLLED_BACK');
    const compensated = (order.steps as Array<{ step: string; action: string }>).filter((r) => r.action === 'compensated').map((r) => r.step);
    expect(compensated).toEqual(['inventory_reservation', 'flaky', 'tender_holds', 'payment']);
    expect(refundKeys.has(`rollback_${s.order.id}`)).toBe(true);
    // Run again (a redelivery after it finished): nothing moves.
    expect(await jobs.runRollback(job.id, false)).toBe('unchanged');
    expect(await cardBalance(s.cardId)).toBe(500);
  });

  it('a failing step is retried: the job resumes at it, and the steps already undone are not undone again', async () => {
    const s = await finalizedSession(`cust-b-${suffix}`);
    const before = await level();
    const { job } = await jobs.rollback(merchant, s.id, null);
    flaky.failures = 1;
    const undoneBefore = flaky.undone;
    await expect(jobs.runRollback(job.id, false)).rejects.toThrow('the flaky step failed');
    // The reservation was undone before the flaky step; the tender not yet.
    expect(await level()).toMatchObject({ onHand: before.onHand + 2 });
    expect(await cardBalance(s.cardId)).toBe(0);
    const [running] = await db().query(`SELECT status, attempts, error_code FROM checkout.finalization_jobs WHERE id = $1`, [job.id]);
    expect(running).toMatchObject({ status: 'RUNNING', attempts: 1, error_code: 'SERVICE_UNAVAILABLE' });
    expect(await jobs.runRollback(job.id, false)).toBe('succeeded');
    expect(flaky.undone).toBe(undoneBefore + 1);
    expect(await level()).toMatchObject({ onHand: before.onHand + 2 });
    expect(await cardBalance(s.cardId)).toBe(500);
    expect((await kinds(s.id)).filter((x) => x === 'inventory.restocked')).toHaveLength(1);
  });

  it('a step still failing on the last attempt fails the job, recorded on the order and in the timeline; the order stays ROLLING_BACK', async () => {
    const s = await finalizedSession(`cust-c-${suffix}`);
    const { job } = await jobs.rollback(merchant, s.id, null);
    flaky.failures = 2;
    await expect(jobs.runRollback(job.id, false)).rejects.toThrow();
    await expect(jobs.runRollback(job.id, true)).rejects.toThrow();
    const [failed] = await db().query(`SELECT status, attempts, error_message FROM checkout.finalization_jobs WHERE id = $1`, [job.id]);
    expect(failed).toMatchObject({ status: 'FAILED', attempts: 2 });
    const [order] = await db().query(`SELECT status, steps FROM checkout.orders WHERE id = $1`, [s.order.id]);
    expect(order.status).toBe('ROLLING_BACK');
    expect(order.steps).toEqual(expect.arrayContaining([expect.objectContaining({ step: 'flaky', action: 'compensation_failed' })]));
    const [entry] = await db().query(`SELECT summary, data FROM checkout.timeline_entries WHERE checkout_session_id = $1 AND kind = 'order.rollback_failed'`, [s.id]);
    expect(entry.summary).toContain('step flaky was not undone');
    expect(entry.data).toMatchObject({ job_id: job.id, step: 'flaky' });
    // The tender after the failed step is not restored yet: an operator's replay resumes there.
    expect(await cardBalance(s.cardId)).toBe(0);
    // The operator replays the failed job (its BullMQ job, from the failed set): it resumes and finishes.
    expect(await jobs.runRollback(job.id, false)).toBe('succeeded');
    expect((await db().query(`SELECT status FROM checkout.finalization_jobs WHERE id = $1`, [job.id]))[0].status).toBe('SUCCEEDED');
    expect(await cardBalance(s.cardId)).toBe(500);
  });
});
