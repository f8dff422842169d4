// checkout-session's outbox routes: the BI facts topics reach the ledger (bi-facts.contract.ts),
// beside their existing routes; the other status events stay pub/sub only.
import { AUDIT_LOG_QUEUE, LEDGER_BI_FACTS_QUEUE, OUTBOUND_WEBHOOK_EVENTS_QUEUE, routedQueues } from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { outboxRoutes } from './events.js';

describe('checkout-session outbox routes', () => {
  it('queues an agent session started, a recommendation and a checkout session created for the ledger\'s BI facts', () => {
    for (const topic of ['agent_session.active', 'recommendation.created', 'checkout_session.open']) {
      expect(routedQueues(outboxRoutes, topic), topic).toEqual([LEDGER_BI_FACTS_QUEUE]);
    }
  });

  it('keeps the other session events pub/sub only, and webhook and audit rows where they went', () => {
    for (const topic of ['agent_session.expired', 'checkout_session.complete', 'checkout_session.expired', 'checkout_session.payment_mismatch']) {
      expect(routedQueues(outboxRoutes, topic), topic).toEqual([]);
    }
    expect(routedQueues(outboxRoutes, 'webhook_event.checkout.created')).toEqual([OUTBOUND_WEBHOOK_EVENTS_QUEUE]);
    expect(routedQueues(outboxRoutes, 'audit.checkout_session.created')).toEqual([AUDIT_LOG_QUEUE]);
  });
});
