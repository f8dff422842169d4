// What a hosted page's client secret (principal CLIENT) may reach in the graph: exactly what the
// hosted page itself reads (hosted-page/checkout-api.ts, subscriptions/hosted-page-client.ts),
// field by field, and nothing else. The secret rides in the checkout URL the buyer holds, so it
// must not open the merchant's private data (metadata, attribution, commission terms, timeline…).
// Enforced at the gateway before anything executes: on every HTTP operation Apollo Server runs
// (the plugin below; the /graphql fast path hands CLIENT requests to Apollo Server), and on every
// graphql-ws operation (subscriptions/server.ts).
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';
import { ErrorCode } from '@handoff/shared/errors/codes';
import type { Principal } from '@handoff/shared/identity/principal';
import type { GatewayContext } from '../context.js';

/** `Type.field` coordinates a client secret may select (`__typename` is allowed everywhere). */
export const CLIENT_ALLOWED_FIELDS: ReadonlySet<string> = new Set([
  // The page's view of its session (HostedCheckoutSession).
  'Query.checkoutSession',
  'CheckoutSession.id',
  'CheckoutSession.status',
  'CheckoutSession.mode',
  'CheckoutSession.url',
  'CheckoutSession.successUrl',
  'CheckoutSession.cancelUrl',
  'CheckoutSession.expiresAt',
  'CheckoutSession.merchant',
  'CheckoutSession.lineItems',
  'CheckoutSession.totals',
  'CheckoutSession.paymentIntent',
  'Merchant.name',
  // The merchant's hosted-page branding (issue 19, seed 003 §17): its display name and accent colour.
  'Merchant.checkoutBranding',
  'CheckoutBranding.displayName',
  'CheckoutBranding.accentColor',
  // Whether the merchant may use the hosted page (its hostedPages capability) and, at Stripe, the publishable key its Payment Element uses (public).
  'Merchant.hostedPage',
  'MerchantHostedPage.enabled',
  'MerchantHostedPage.stripePublishableKey',
  'LineItem.name',
  'LineItem.quantity',
  'LineItem.unitAmount',
  'LineItem.total',
  // A SUBSCRIPTION session's recurring line (issue 22): the page says how often it renews and whether a trial charges nothing today.
  'LineItem.recurring',
  'RecurringPrice.interval',
  'RecurringPrice.intervalCount',
  'RecurringPrice.trialDays',
  'Totals.subtotal',
  'Totals.discount',
  'Totals.tax',
  'Totals.shipping',
  'Totals.total',
  'Money.amountMinor',
  'Money.currency',
  'Money.amount',
  'PaymentIntent.id',
  'PaymentIntent.status',
  'PaymentIntent.amount',
  'PaymentIntent.nextAction',
  'PaymentIntent.lastPaymentError',
  // The test-mode banner, its test cards and a refunded amount.
  'PaymentIntent.provider',
  'PaymentIntent.amountRefunded',
  'PaymentIntent.sandboxTestCards',
  'SandboxTestCard.number',
  'SandboxTestCard.outcome',
  // Paid, refunded or partially refunded, and test mode with the sandbox's own test cards (issue 16, item 13).
  'PaymentIntent.provider',
  'PaymentIntent.amountRefunded',
  'PaymentIntent.sandboxTestCards',
  'SandboxTestCard.number',
  'SandboxTestCard.outcome',
  'NextAction.type',
  'NextAction.url',
  'PaymentError.code',
  'PaymentError.declineCode',
  'PaymentError.message',
  // What the buyer fills in on the page (issue 18, part B1): customer, addresses, shipping,
  // promotion codes, the calculation and its validation, and the mutations that set them. Not the
  // merchant's own: CheckoutCustomer.customerId, CheckoutCalculation.providers, offer and promotion ids.
  ...[
    'customer', 'shippingAddress', 'billingAddress', 'promotionCodes', 'selectedShipping', 'shippingOptions', 'pickupOptions',
    'shipmentPlan', 'calculation', 'calculationStale', 'validation',
  ].map((f) => `CheckoutSession.${f}`),
  // Whether the page must ask for a billing address (issue 18, item 8).
  'CheckoutSession.requireBillingAddress',
  ...['email', 'phone', 'saveForLater'].map((f) => `CheckoutCustomer.${f}`),
  ...['name', 'line1', 'line2', 'city', 'state', 'postalCode', 'country', 'validation'].map((f) => `CheckoutAddress.${f}`),
  'CheckoutAddressValidation.status',
  'CheckoutAddressValidation.problems',
  ...['id', 'label', 'carrier', 'serviceCode', 'amount', 'free', 'deliveryEstimate'].map((f) => `CheckoutShippingOption.${f}`),
  ...['minDays', 'maxDays', 'earliestDate', 'latestDate'].map((f) => `CheckoutDeliveryEstimate.${f}`),
  ...['id', 'name', 'country', 'region', 'postalCode'].map((f) => `CheckoutPickupOption.${f}`),
  'CheckoutShippingSelection.kind',
  'CheckoutShippingSelection.id',
  ...['kind', 'calculated', 'shipments'].map((f) => `CheckoutShipmentPlan.${f}`),
  ...['fulfilmentLocationId', 'lineIds', 'subTotal', 'discount', 'tax', 'shipping', 'shippingTax', 'total'].map((f) => `CheckoutShipment.${f}`),
  ...[
    'id', 'calculatedAt', 'currency', 'pricesIncludeTax', 'lines', 'taxLines', 'shipping', 'promotions', 'promotionsNotApplied', 'shipments',
    'totals', 'blockers', 'rounding',
  ].map((f) => `CheckoutCalculation.${f}`),
  ...['id', 'name', 'quantity', 'unitAmount', 'base', 'discount', 'adjustments', 'taxCategory', 'tax', 'taxInclusive', 'total', 'fulfilmentLocationId'].map(
    (f) => `CheckoutCalculationLine.${f}`,
  ),
  'CheckoutLineAdjustment.code',
  'CheckoutLineAdjustment.amount',
  ...['target', 'lineId', 'country', 'region', 'category', 'basisPoints', 'taxableBase', 'amount', 'inclusive'].map((f) => `CheckoutTaxLine.${f}`),
  ...['kind', 'id', 'label', 'amount', 'tax', 'deliveryEstimate'].map((f) => `CheckoutCalculatedShipping.${f}`),
  ...['code', 'automatic', 'amount'].map((f) => `CheckoutAppliedPromotion.${f}`),
  'CheckoutPromotionNotApplied.code',
  'CheckoutPromotionNotApplied.reason',
  ...['subTotal', 'discountTotal', 'taxTotal', 'shippingTotal', 'grandTotal', 'includedTaxTotal'].map((f) => `CheckoutCalculationTotals.${f}`),
  ...['code', 'message', 'promotionCode', 'reason', 'lineId'].map((f) => `CheckoutBlocker.${f}`),
  'CheckoutValidation.valid',
  'CheckoutValidation.blockers',
  ...[
    'setCheckoutCustomer', 'setCheckoutShippingAddress', 'setCheckoutBillingAddress', 'selectCheckoutShipping', 'selectCheckoutShipmentPlan',
    'applyCheckoutPromotion', 'removeCheckoutPromotion', 'calculateCheckout',
  ].map((f) => `Mutation.${f}`),
  // Paying (HostedCheckoutPay, HostedCheckoutThreeDSecure) and watching the payment (HostedPagePayment).
  'Mutation.confirmPaymentIntent',
  'Mutation.completeThreeDSecure',
  // Paying again after the merchant canceled the session's intent (a fresh one; checkout-renewal.ts).
  'Mutation.renewCheckoutPaymentIntent',
  'Subscription.paymentIntentUpdated',
]);

/**
 * A standalone payment intent's client secret (principal CLIENT with `paymentIntentId`; seed 003
 * §6): the intent itself (what Stripe's publishable-key client reads) and confirming it, nothing of
 * any checkout session, merchant or metadata.
 */
export const INTENT_CLIENT_ALLOWED_FIELDS: ReadonlySet<string> = new Set([
  'Query.paymentIntent',
  ...['id', 'status', 'amount', 'amountCaptured', 'captureMode', 'paymentMethodTypes', 'nextAction', 'lastPaymentError', 'clientSecret', 'provider', 'sandboxTestCards', 'createdAt'].map(
    (f) => `PaymentIntent.${f}`,
  ),
  'Money.amountMinor',
  'Money.currency',
  'Money.amount',
  'NextAction.type',
  'NextAction.url',
  'PaymentError.code',
  'PaymentError.declineCode',
  'PaymentError.message',
  'SandboxTestCard.number',
  'SandboxTestCard.outcome',
  'Mutation.attachPaymentMethod',
  'Mutation.confirmPaymentIntent',
  'Mutation.completeThreeDSecure',
]);

/** `extensions.reason` of a refusal, so a client (and a test) can tell it from a subgraph's FORBIDDEN. */
export const CLIENT_FIELD_NOT_ALLOWED = 'client_secret:field_not_allowed';

/** Every `Type.field` coordinate `document` selects (but `__typename`), in document order, each once; fragments included. */
export function selectedFields(schema: GraphQLSchema, document: DocumentNode): string[] {
  const selected = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        if (node.name.value !== '__typename') selected.add(`${typeInfo.getParentType()?.name ?? '?'}.${node.name.value}`);
      },
    }),
  );
  return [...selected];
}

/**
 * Every coordinate `document` selects that a client secret may not, in document order. Every
 * definition counts, fragments included. Introspection (`__schema`, `__type`) is refused.
 */
export function refusedClientFields(schema: GraphQLSchema, document: DocumentNode, principal?: Principal): string[] {
  const allowed = principal?.kind === 'CLIENT' && principal.paymentIntentId ? INTENT_CLIENT_ALLOWED_FIELDS : CLIENT_ALLOWED_FIELDS;
  return selectedFields(schema, document).filter((coordinate) => !allowed.has(coordinate));
}

/** FORBIDDEN naming every refused coordinate; `httpStatus` for Apollo Server's answer (403). */
export function clientFieldsRefusedError(refused: readonly string[], httpStatus?: number): GraphQLError {
  return new GraphQLError(
    `A checkout client secret may read only what the hosted checkout page shows; not allowed: ${refused.join(', ')}.`,
    {
      extensions: {
        code: ErrorCode.FORBIDDEN,
        reason: CLIENT_FIELD_NOT_ALLOWED,
        field: refused[0],
        ...(httpStatus ? { http: { status: httpStatus } } : {}),
      },
    },
  );
}

/** The refusal for `principal` running `document`, or undefined when it may (any principal but CLIENT may). */
export function clientAllowListRefusal(
  principal: Principal,
  schema: GraphQLSchema,
  document: DocumentNode,
  httpStatus?: number,
): GraphQLError | undefined {
  if (principal.kind !== 'CLIENT') return undefined;
  const refused = refusedClientFields(schema, document, principal);
  return refused.length ? clientFieldsRefusedError(refused, httpStatus) : undefined;
}

/**
 * Apollo Server: refuses a CLIENT operation selecting anything off the list, after validation and
 * before execution. Queries the gateway derives from a subscription already held to the list
 * (its per-event query; `derivedFromCheckedSubscription`) are the gateway's own.
 */
export function clientAllowListPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, schema, document }) {
          if (!contextValue?.principal || contextValue.derivedFromCheckedSubscription) return;
          const refusal = clientAllowListRefusal(contextValue.principal, schema, document, 403);
          if (refusal) throw refusal;
        },
      };
    },
  };
}
