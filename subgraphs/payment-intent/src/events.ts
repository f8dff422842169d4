// Where this subgraph's outbox events go (docs/internal-contracts.md): intent state changes to
// checkout-session (and pub/sub), verified PSP evidence to the ledger, and the sandbox PSP's
// own work (webhook deliveries, settlements) to its workers here.
import type { OutboxRoutes } from '@handoff/shared';
import { SANDBOX_SETTLE_QUEUE, SANDBOX_WEBHOOK_QUEUE } from './psp/sandbox/sandbox.jobs.js';

export const CHECKOUT_PAYMENT_EVENTS_QUEUE = 'checkout-payment-events';
export const LEDGER_PAYMENT_EVENTS_QUEUE = 'ledger-payment-events';

export const outboxRoutes: OutboxRoutes = {
  'payment_intent.*': [CHECKOUT_PAYMENT_EVENTS_QUEUE],
  'psp_event.*': [LEDGER_PAYMENT_EVENTS_QUEUE],
  'sandbox_webhook.*': [SANDBOX_WEBHOOK_QUEUE],
  'sandbox_settle.*': [SANDBOX_SETTLE_QUEUE],
};
