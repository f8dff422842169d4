import { LEDGER_BI_FACTS_QUEUE, OUTBOUND_WEBHOOK_EVENTS_QUEUE, routedQueues } from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { CHECKOUT_PAYMENT_EVENTS_QUEUE, LEDGER_PAYMENT_EVENTS_QUEUE, outboxRoutes } from './events.js';

describe('payment-intent outbox routes', () => {
  it('queues every event a consumer acts on', () => {
    // And the ledger's BI facts (GMV).
    expect(routedQueues(outboxRoutes, 'payment_intent.succeeded')).toEqual([CHECKOUT_PAYMENT_EVENTS_QUEUE, LEDGER_BI_FACTS_QUEUE]);
    // A failed attempt: checkout-session records the checkout's failure (remediation).
    expect(routedQueues(outboxRoutes, 'payment_intent.payment_failed')).toEqual([CHECKOUT_PAYMENT_EVENTS_QUEUE]);
    for (const kind of ['succeeded', 'refunded', 'dispute_opened', 'dispute_closed']) {
      expect(routedQueues(outboxRoutes, `psp_event.${kind}`), kind).toEqual([LEDGER_PAYMENT_EVENTS_QUEUE]);
    }
  });

  it('queues payment_intent.canceled for checkout-session only (it releases the session\'s reservation and tender holds)', () => {
    expect(routedQueues(outboxRoutes, 'payment_intent.canceled')).toEqual([CHECKOUT_PAYMENT_EVENTS_QUEUE]);
  });

  it('queues payment_intent.refunded for checkout-session (an ACP session\'s agent gets order_update with the refund) and the ledger\'s BI facts (refunds)', () => {
    expect(routedQueues(outboxRoutes, 'payment_intent.refunded')).toEqual([CHECKOUT_PAYMENT_EVENTS_QUEUE, LEDGER_BI_FACTS_QUEUE]);
  });

  it('queues nothing for events no consumer acts on (they stay in the outbox and go to pub/sub)', () => {
    for (const topic of ['payment_intent.created', 'payment_intent.processing', 'payment_intent.requires_action',
      'psp_event.processing', 'psp_event.requires_action', 'psp_event.failed', 'psp_event.canceled', 'psp_event.other']) {
      expect(routedQueues(outboxRoutes, topic), topic).toEqual([]);
    }
  });

  it('queues every merchant webhook event for the merchant subgraph’s intake, and nowhere else', () => {
    for (const type of ['payment.succeeded', 'payment.failed', 'payment.canceled', 'payment.refunded', 'payment.disputed', 'payment.requires_action', 'payment.amount_capturable_updated']) {
      expect(routedQueues(outboxRoutes, `webhook_event.${type}`), type).toEqual([OUTBOUND_WEBHOOK_EVENTS_QUEUE]);
    }
  });
});
