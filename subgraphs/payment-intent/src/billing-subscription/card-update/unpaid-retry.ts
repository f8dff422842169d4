// An UNPAID subscription's new card pays its uncollectible invoice at once (issue 22; docs/recurring.md
// "Card update link"): dunning gave up (the invoice UNCOLLECTIBLE, the subscription UNPAID, nothing
// scheduled), and the state tables keep it so (no UNPAID -> PAST_DUE, no UNCOLLECTIBLE -> OPEN: it
// goes back to ACTIVE only by paying). So the renewal's charge is not reused; this is its one
// off-session attempt with the card just saved, under the same guards:
//   one transaction holding the subscription's row lock (a second card update waits, then finds it
//   ACTIVE); the period's one live intent (the declined renewal's, reused, never a second one); the
//   PSP call keyed by (subscription, period, attempt) as every renewal attempt is.
//   Paid: the intent's SUCCEEDED runs renewalPaid in this transaction (invoice UNCOLLECTIBLE -> PAID,
//   invoice.paid; the subscription UNPAID -> ACTIVE on that period). Declined: the attempt counted,
//   invoice.payment_failed, the subscription stays UNPAID with its new card.
import { Not } from 'typeorm';
import { pspCall } from '../../payment-intent/payment-intent.command-run.js';
import { PaymentIntentEntity } from '../../payment-intent/payment-intent.entity.js';
import { PaymentIntentStatus as S } from '../../payment-intent/payment-intent.enums.js';
import { noPaymentConnector } from '../../payment-intent/payment-intent.errors.js';
import { applyPspPayment } from '../../payment-intent/payment-intent.psp-result.js';
import { renewalKey, type RenewalDeps, type RenewalResult } from '../billing-renewal.js';
import { changeInvoice, lockSubscription } from '../billing-subscription.changes.js';
import { BillingInvoiceEntity } from '../billing-subscription.entity.js';
import { BillingInvoiceStatus, BillingSubscriptionStatus as B } from '../billing-subscription.states.js';

/** The attempt's result and its period; null when the subscription is not UNPAID with an uncollectible invoice for its next period. */
export async function retryUnpaidInvoice(deps: RenewalDeps, subscriptionId: string): Promise<(RenewalResult & { period: number }) | null> {
  const result = await deps.dataSource.transaction(async (manager) => {
    const sub = await lockSubscription(manager, subscriptionId);
    if (!sub || sub.status !== B.UNPAID || !sub.paymentMethodId) return null;
    const period = sub.currentPeriod + 1;
    const invoice = await manager.findOneBy(BillingInvoiceEntity, { subscriptionId: sub.id, period, status: BillingInvoiceStatus.UNCOLLECTIBLE });
    if (!invoice) return null;
    const ids = { invoiceId: invoice.id, period };
    const intent = await manager.findOne(PaymentIntentEntity, {
      where: { billingSubscriptionId: sub.id, billingPeriod: period, status: Not(S.CANCELED) },
      lock: { mode: 'pessimistic_write' },
    });
    // The period's intent is the declined renewal's; any other state (none, paid, processing, authenticating) is not charged again here.
    if (!intent || (intent.status !== S.REQUIRES_PAYMENT_METHOD && intent.status !== S.REQUIRES_CONFIRMATION)) {
      return { outcome: 'not_due' as const, ...ids, paymentIntentId: intent?.id ?? null };
    }
    const credentials = await deps.credentials.get(sub.merchantId);
    if (!credentials) throw noPaymentConnector(sub.merchantId);
    const connector = deps.connectors.for(credentials);
    const attempt = invoice.attempts + 1;
    const attempted = await changeInvoice(manager, sub, invoice, { attempts: attempt, paymentIntentId: intent.id, nextAttemptAt: null });
    const psp = await pspCall(() =>
      connector.confirmPayment({ manager }, intent.providerPaymentId!, sub.paymentMethodId!, deps.returnUrl, { offSession: true, ...(sub.providerCustomerId ? { customer: sub.providerCustomerId } : {}) }, renewalKey(sub.id, period, `confirm:${attempt}`)),
    );
    await applyPspPayment(manager, intent, psp, 'renew');
    const status: S = (intent as PaymentIntentEntity).status; // as the PSP's answer moved it
    if (status === S.SUCCEEDED) return { outcome: 'paid' as const, ...ids, paymentIntentId: intent.id };
    if (status === S.PROCESSING || status === S.REQUIRES_CAPTURE) return { outcome: 'pending' as const, ...ids, paymentIntentId: intent.id };
    // Declined (or an authentication asked): recorded as a failed attempt; the invoice stays uncollectible, the subscription UNPAID.
    await changeInvoice(manager, sub, attempted, {}, { failed: true });
    return { outcome: status === S.REQUIRES_ACTION ? ('requires_action' as const) : ('declined' as const), ...ids, paymentIntentId: intent.id };
  });
  deps.committed?.();
  return result;
}
