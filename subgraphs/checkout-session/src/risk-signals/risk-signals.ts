// What a checkout session tells the merchant's risk rules (payment-intent's risk/, before it
// confirms a payment and for a dry-run score): who is buying (the customer's email), where
// (billing and shipping countries), through which agent, and for how much. Read-only; the
// caller is Handoff's payment-intent (SERVICE), which checks the merchant itself.
import type { EntityManager } from 'typeorm';
import { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { effectiveStatus } from '../checkout-session/checkout-session.states.js';
import { heldTotal } from '../tender/tender-holds.js';

export interface CheckoutRiskSignals {
  checkoutSessionId: string;
  merchantId: string;
  status: string;
  customerEmail: string | null;
  billingCountry: string | null;
  shippingCountry: string | null;
  agentId: string | null;
  amountMinor: number;
  currency: string;
  paymentIntentId: string | null;
  /** What its held gift cards and store credit cover (tender/): the card pays amountMinor minus this. */
  tenderHeldMinor: number;
}

export async function riskSignalsOf(manager: EntityManager, checkoutSessionId: string): Promise<CheckoutRiskSignals | null> {
  const cs = await manager.findOneBy(CheckoutSessionEntity, { id: checkoutSessionId });
  if (!cs) return null;
  return {
    checkoutSessionId: cs.id,
    merchantId: cs.merchantId,
    status: effectiveStatus(cs),
    customerEmail: cs.customerEmail,
    billingCountry: cs.billingAddress?.country ?? null,
    shippingCountry: cs.shippingAddress?.country ?? null,
    agentId: cs.agentId,
    amountMinor: cs.totalMinor,
    currency: cs.currency,
    paymentIntentId: cs.paymentIntentId,
    tenderHeldMinor: await heldTotal(manager, cs.id),
  };
}
