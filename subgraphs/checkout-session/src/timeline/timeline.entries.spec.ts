// checkout-session's own timeline entries, worked out from a change's session before and after:
// one entry per thing the buyer did (a code applied and another removed are two), the
// calculation last with its id and grand total, bookkeeping fields (version, updated_at,
// calculation_stale) never an entry of their own; the status moves; the request's actor.
import { actorOf, runWithRequestContext } from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutMode, CheckoutSessionStatus } from '../checkout-session/checkout-session.enums.js';
import { checkoutWebhookObject } from '../checkout-session/checkout.webhook-event.js';
import { NO_BUYER_DETAILS } from '../checkout-session/checkout-session.transition.js';
import { changeEntries, createdEntry, statusEntry } from './timeline.entries.js';

function session(over: Partial<CheckoutSessionEntity> = {}): CheckoutSessionEntity {
  const now = new Date('2026-12-05T10:00:00.000Z');
  return Object.assign(new CheckoutSessionEntity(), {
    id: 'cs_1', merchantId: 'mer_1', agentId: null, status: CheckoutSessionStatus.OPEN, mode: CheckoutMode.PAYMENT, currency: 'GBP',
    subtotalMinor: 3000, discountMinor: 0, taxMinor: 0, shippingMinor: 0, totalMinor: 3000, successUrl: null, cancelUrl: null,
    expiresAt: new Date('2026-12-06T10:00:00.000Z'), version: 1, customerEmail: null, metadata: {}, agentSessionId: null, recommendationId: null,
    offerId: null, aapCode: null, paymentIntentId: null, paymentIntentsCanceledAt: null, paymentMismatch: null, createdAt: now, updatedAt: now,
    ...NO_BUYER_DETAILS,
    ...over,
  });
}

describe("checkout-session's timeline entries", () => {
  it('a change: one entry per thing done, bookkeeping aside', () => {
    const before = session({ promotionCodes: ['OLD'] });
    const after = session({ promotionCodes: ['SAVE5'], version: 2, calculationStale: true, updatedAt: new Date(), billingAddress: { name: 'Ada', line1: '1 A St', line2: null, city: 'London', state: null, postalCode: 'SW1A 2AA', country: 'GB', validation: { status: 'VALID', problems: [] } } });
    const entries = changeEntries(after, checkoutWebhookObject(before), checkoutWebhookObject(after));
    expect(entries.map((e) => [e.kind, e.summary])).toEqual([
      ['checkout.billing_address_set', 'Billing address set (GB, SW1A 2AA)'],
      ['checkout.promotion_applied', 'Promotion code SAVE5 applied'],
      ['checkout.promotion_removed', 'Promotion code OLD removed'],
    ]);
    // Only a version bump: nothing to say.
    expect(changeEntries(after, checkoutWebhookObject(after), { ...checkoutWebhookObject(after), version: 3, calculation_stale: false })).toEqual([]);
  });

  it('a calculation comes last, with its id and grand total; other fields are one checkout.updated', () => {
    const before = session();
    const after = session({ calculationId: 'calc_1', calculationStale: false, taxMinor: 600, totalMinor: 3600, metadata: { order: '42' }, version: 2 });
    const entries = changeEntries(after, checkoutWebhookObject(before), checkoutWebhookObject(after));
    expect(entries.map((e) => e.kind)).toEqual(['checkout.updated', 'checkout.calculated']);
    expect(entries[0]!.data).toEqual({ changed: ['metadata'], metadata: { order: '42' } });
    expect(entries[1]).toMatchObject({ summary: 'Calculated calc_1: grand total 36.00 GBP', data: { calculation_id: 'calc_1', totals: { grand_total: 3600, tax_total: 600 } } });
  });

  it("the request's actor, or checkout-session itself", () => {
    const cs = session();
    const byMerchant = runWithRequestContext({ requestId: 'r', actor: actorOf({ kind: 'MERCHANT', keyId: 'key_1', merchantId: 'mer_1' }) }, () => createdEntry(cs, 2));
    expect(byMerchant).toMatchObject({ kind: 'checkout.created', summary: 'Checkout created by the merchant: 2 lines, 30.00 GBP', actor: { kind: 'merchant', id: 'key_1' } });
    expect(statusEntry(session({ status: CheckoutSessionStatus.EXPIRED }), CheckoutSessionStatus.EXPIRED)).toMatchObject({
      kind: 'checkout.expired',
      actor: { kind: 'service', id: 'checkout-session' },
    });
    expect(statusEntry(session({ paymentIntentId: 'pi_1' }), CheckoutSessionStatus.COMPLETE)!.summary).toBe('Checkout completed: 30.00 GBP paid (payment intent pi_1)');
    expect(statusEntry(cs, CheckoutSessionStatus.OPEN)).toBeNull();
  });
});
