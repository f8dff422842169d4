// The event mapping against fixtures in Stripe's exact event shapes (test/fixtures/stripe).
import { readFileSync } from 'node:fs';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { fromStripePaymentIntent } from '../psp/stripe/stripe-connector.js';
import { InvalidPspEvent, readPspEvent } from './psp-event.js';
import { verifyStripeSignature } from './stripe-signature.js';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/stripe/${name}.json`, import.meta.url), 'utf8');
const read = (name: string) => readPspEvent(JSON.parse(fixture(name)));

describe('Stripe events → PSP events', () => {
  it('payment_intent.succeeded: the payment, its amounts and metadata', () => {
    const e = read('payment_intent.succeeded');
    expect(e).toMatchObject({ id: 'evt_3PqLrZ2eZvKYlo2C1gX8pQ0b', type: 'payment_intent.succeeded', kind: 'succeeded', created: 1724410000 });
    expect(e.object).toEqual({
      id: 'pi_3PqLrZ2eZvKYlo2C1a2b3c4d',
      amount: 1000,
      currency: 'GBP',
      status: 'succeeded',
      amountReceived: 1000,
      paymentMethod: 'pm_1PqLrY2eZvKYlo2CAbCdEfGh',
      metadata: { aap_code: 'aap://handoff/v1/eyJyIjoicmVjXzEifQ.c2ln', aap_recommendation_id: 'rec_01J6', handoff_checkout_session_id: 'cs_01J6' },
    });
  });

  it('payment_intent.payment_failed: the decline', () => {
    const e = read('payment_intent.payment_failed');
    expect(e.kind).toBe('failed');
    expect(e.object.lastPaymentError).toEqual({ code: 'card_declined', declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.' });
  });

  it('charge.refunded: names the payment intent, the total and the latest refund', () => {
    const e = read('charge.refunded');
    expect(e.kind).toBe('refunded');
    expect(e.object).toMatchObject({ id: 'pi_3PqLrZ2eZvKYlo2C1a2b3c4d', amountReceived: 1000, amountRefunded: 300, refund: { id: 're_3PqLtB2eZvKYlo2C1k2J3h4G', amount: 300 } });
  });

  it('disputes: opened and closed with an outcome', () => {
    expect(read('charge.dispute.created')).toMatchObject({ kind: 'dispute_opened', object: { id: 'pi_3PqLrZ2eZvKYlo2C1a2b3c4d', dispute: { id: 'dp_1PqLuC2eZvKYlo2Cq1w2e3r4', status: 'needs_response' } } });
    expect(read('charge.dispute.closed').object.dispute).toEqual({ id: 'dp_1PqLuC2eZvKYlo2Cq1w2e3r4', status: 'lost', outcome: 'lost' });
  });

  it('any other type is kind other', () => {
    expect(read('customer.created')).toMatchObject({ kind: 'other', object: { id: 'cus_QhL8x1y2z3' } });
  });

  it('refuses bodies that are not events', () => {
    for (const body of [null, [], {}, { id: 'evt_1' }, { id: 'evt_1', type: 'x', data: {} }]) expect(() => readPspEvent(body)).toThrow(InvalidPspEvent);
  });

  it('fixtures verify with SDK-made signatures', () => {
    const payload = fixture('payment_intent.succeeded');
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_fixture' });
    expect(verifyStripeSignature(Buffer.from(payload), header, 'whsec_fixture').ok).toBe(true);
  });
});

describe("Stripe's PaymentIntent answers → connector results", () => {
  it('maps a 3-D Secure redirect and a decline', () => {
    expect(fromStripePaymentIntent({ id: 'pi_1', status: 'requires_action', next_action: { type: 'redirect_to_url', redirect_to_url: { url: 'https://hooks.stripe.com/3d_secure_2/x' } } })).toMatchObject({
      status: 'requires_action',
      nextAction: { type: 'redirect_to_url', url: 'https://hooks.stripe.com/3d_secure_2/x' },
    });
    const failed = JSON.parse(fixture('payment_intent.payment_failed')).data.object;
    expect(fromStripePaymentIntent(failed).error).toEqual({ code: 'card_declined', declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.' });
  });
});
