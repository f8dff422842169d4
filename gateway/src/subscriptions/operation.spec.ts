import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { isErrors, planSubscription, SUBJECT_VARIABLE } from './operation.js';

const schema = buildSchema(`
  type Money { amount: String! currency: String! }
  type PaymentIntent { id: ID! status: String! amount: Money! }
  type Conversion { id: ID! status: String! }
  type Query { paymentIntent(id: ID!): PaymentIntent conversion(id: ID!): Conversion }
  type Subscription { paymentIntentUpdated(id: ID, checkoutSessionId: ID): PaymentIntent! conversionUpdated(merchantId: ID, after: String): Conversion! }
`);

describe('planSubscription', () => {
  it('rewrites the root field into the by-id query, keeping alias, fragments and the variables still used', () => {
    const doc = parse(`
      subscription Watch($session: ID, $withAmount: Boolean!) {
        live: paymentIntentUpdated(checkoutSessionId: $session) { ...Fields s: status amount @include(if: $withAmount) { amount } }
      }
      fragment Fields on PaymentIntent { id status }`);
    const plan = planSubscription(schema, doc, 'Watch', { session: 'cs_1', withAmount: true });
    if (isErrors(plan)) throw plan[0];
    expect(plan).toMatchObject({ field: 'paymentIntentUpdated', responseKey: 'live', args: { checkoutSessionId: 'cs_1' }, statusKeys: ['s'] });
    expect(plan.variables).toEqual({ withAmount: true });
    expect(plan.query).toContain(`query Watch($withAmount: Boolean!, $${SUBJECT_VARIABLE}: ID!)`);
    expect(plan.query).toContain(`live: paymentIntent(id: $${SUBJECT_VARIABLE})`);
    expect(plan.query).toContain('fragment Fields on PaymentIntent');
  });

  it('refuses a root selected through a fragment and bad argument values', () => {
    expect(isErrors(planSubscription(schema, parse('subscription { ... on Subscription { conversionUpdated { id } } }'), undefined, {}))).toBe(true);
    expect(isErrors(planSubscription(schema, parse('subscription($a: String) { conversionUpdated(after: $a) { id } }'), undefined, { a: 5 }))).toBe(true);
  });
});
