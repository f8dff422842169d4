// Declares `Subscription.paymentIntentUpdated` so it composes into the graph. The gateway serves
// it (gateway/src/subscriptions): it listens to this subgraph's `payment_intent.*` outbox events
// on Redis pub/sub and resolves each one as a `paymentIntent(id)` query for the subscriber, so
// the tenancy rules of scopePaymentIntents apply to every event. Nothing here ever runs.
import { Arg, ID, Resolver, Subscription } from 'type-graphql';
import { PaymentIntent } from '../payment-intent/payment-intent.type.js';

const servedByGateway = (): AsyncIterable<never> => {
  throw new Error('paymentIntentUpdated is served by the gateway.');
};

@Resolver()
export class PaymentIntentSubscriptionResolver {
  @Subscription(() => PaymentIntent, {
    subscribe: servedByGateway,
    description:
      'Every status change of the payment intents the caller may see: one (id), those of one checkout session ' +
      '(checkoutSessionId), or all of them. Each event is the intent as a query would return it at delivery; ' +
      '`status` is the status the event announced. extensions.cursor orders events.',
  })
  paymentIntentUpdated(
    @Arg('id', () => ID, { nullable: true }) _id: string | null,
    @Arg('checkoutSessionId', () => ID, { nullable: true }) _checkoutSessionId: string | null,
  ): PaymentIntent {
    throw new Error('paymentIntentUpdated is served by the gateway.');
  }
}
