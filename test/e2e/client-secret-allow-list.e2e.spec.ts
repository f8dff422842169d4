// The hosted page's client secret (principal CLIENT) against the whole composed API schema
// (gateway/api-schema.graphql), through the gateway: every field that is not on the allow-list
// (gateway/src/auth/client-allow-list.ts) is refused with FORBIDDEN before anything runs, over
// HTTP and over graphql-ws; every allow-listed field answers with the session's own data.
import type { RunningHandoff } from '@handoff/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { collect, wsClient } from '../support/subscriptions.js';
import { apiSchema, getNamedType, isNonNullType, isObjectType, type GraphQLField, type GraphQLObjectType, type RootKind } from './sweep/schema.js';

// Kept here rather than imported, so a field quietly added to the gateway's list fails this test.
const ALLOWED = new Set([
  'Query.checkoutSession',
  ...['id', 'status', 'mode', 'url', 'successUrl', 'cancelUrl', 'expiresAt', 'merchant', 'lineItems', 'totals', 'paymentIntent'].map((f) => `CheckoutSession.${f}`),
  'Merchant.name',
  // The merchant's hosted-page branding (issue 19): display name and accent colour, not the logo URL.
  'Merchant.checkoutBranding', 'CheckoutBranding.displayName', 'CheckoutBranding.accentColor',
  // Whether the merchant may use the page (hostedPages capability) and its Stripe publishable key (public; issue 20 item 6).
  'Merchant.hostedPage', 'MerchantHostedPage.enabled', 'MerchantHostedPage.stripePublishableKey',
  ...['name', 'quantity', 'unitAmount', 'total'].map((f) => `LineItem.${f}`),
  // A SUBSCRIPTION session's recurring line (issue 22): its cycle and trial, shown on the page.
  'LineItem.recurring', 'RecurringPrice.interval', 'RecurringPrice.intervalCount', 'RecurringPrice.trialDays',
  ...['subtotal', 'discount', 'tax', 'shipping', 'total'].map((f) => `Totals.${f}`),
  ...['amountMinor', 'currency', 'amount'].map((f) => `Money.${f}`),
  ...['id', 'status', 'amount', 'nextAction', 'lastPaymentError', 'provider', 'amountRefunded', 'sandboxTestCards'].map((f) => `PaymentIntent.${f}`),
  'SandboxTestCard.number', 'SandboxTestCard.outcome',
  'NextAction.type', 'NextAction.url',
  'PaymentError.code', 'PaymentError.declineCode', 'PaymentError.message',
  'Mutation.confirmPaymentIntent', 'Mutation.completeThreeDSecure', 'Subscription.paymentIntentUpdated',
  // Paying again after the merchant canceled the session's intent (the hosted page renews it).
  'Mutation.renewCheckoutPaymentIntent',
  // What the buyer fills in (issue 18, part B1).
  ...['customer', 'shippingAddress', 'billingAddress', 'promotionCodes', 'selectedShipping', 'shippingOptions', 'pickupOptions', 'shipmentPlan', 'calculation', 'calculationStale', 'validation'].map((f) => `CheckoutSession.${f}`),
  ...['email', 'phone', 'saveForLater'].map((f) => `CheckoutCustomer.${f}`),
  ...['name', 'line1', 'line2', 'city', 'state', 'postalCode', 'country', 'validation'].map((f) => `CheckoutAddress.${f}`),
  'CheckoutAddressValidation.status', 'CheckoutAddressValidation.problems',
  ...['id', 'label', 'carrier', 'serviceCode', 'amount', 'free', 'deliveryEstimate'].map((f) => `CheckoutShippingOption.${f}`),
  ...['minDays', 'maxDays', 'earliestDate', 'latestDate'].map((f) => `CheckoutDeliveryEstimate.${f}`),
  ...['id', 'name', 'country', 'region', 'postalCode'].map((f) => `CheckoutPickupOption.${f}`),
  'CheckoutShippingSelection.kind', 'CheckoutShippingSelection.id',
  ...['kind', 'calculated', 'shipments'].map((f) => `CheckoutShipmentPlan.${f}`),
  ...['fulfilmentLocationId', 'lineIds', 'subTotal', 'discount', 'tax', 'shipping', 'shippingTax', 'total'].map((f) => `CheckoutShipment.${f}`),
  ...['id', 'calculatedAt', 'currency', 'pricesIncludeTax', 'lines', 'taxLines', 'shipping', 'promotions', 'promotionsNotApplied', 'shipments', 'totals', 'blockers', 'rounding'].map((f) => `CheckoutCalculation.${f}`),
  ...['id', 'name', 'quantity', 'unitAmount', 'base', 'discount', 'adjustments', 'taxCategory', 'tax', 'taxInclusive', 'total', 'fulfilmentLocationId'].map((f) => `CheckoutCalculationLine.${f}`),
  'CheckoutLineAdjustment.code', 'CheckoutLineAdjustment.amount',
  ...['target', 'lineId', 'country', 'region', 'category', 'basisPoints', 'taxableBase', 'amount', 'inclusive'].map((f) => `CheckoutTaxLine.${f}`),
  ...['kind', 'id', 'label', 'amount', 'tax', 'deliveryEstimate'].map((f) => `CheckoutCalculatedShipping.${f}`),
  ...['code', 'automatic', 'amount'].map((f) => `CheckoutAppliedPromotion.${f}`),
  'CheckoutPromotionNotApplied.code', 'CheckoutPromotionNotApplied.reason',
  ...['subTotal', 'discountTotal', 'taxTotal', 'shippingTotal', 'grandTotal', 'includedTaxTotal'].map((f) => `CheckoutCalculationTotals.${f}`),
  ...['code', 'message', 'promotionCode', 'reason', 'lineId'].map((f) => `CheckoutBlocker.${f}`),
  'CheckoutValidation.valid', 'CheckoutValidation.blockers',
  ...['setCheckoutCustomer', 'setCheckoutShippingAddress', 'setCheckoutBillingAddress', 'selectCheckoutShipping', 'selectCheckoutShipmentPlan', 'applyCheckoutPromotion', 'removeCheckoutPromotion', 'calculateCheckout'].map((f) => `Mutation.${f}`),
  // Whether the page asks for a billing address (issue 18, item 8).
  'CheckoutSession.requireBillingAddress',
]);
const REASON = 'client_secret:field_not_allowed';

interface Path {
  kind: RootKind;
  /** Selection openers from the root down to the type, e.g. `checkoutSession(id: $a0) {`. */
  openers: string[];
  /** Variable definitions and the argument each one stands for. */
  vars: Array<{ name: string; type: string; arg: string }>;
}

const ROOTS: Array<[RootKind, GraphQLObjectType | null | undefined]> = [
  ['query', apiSchema.getQueryType()], ['subscription', apiSchema.getSubscriptionType()], ['mutation', apiSchema.getMutationType()],
];

function call(field: GraphQLField<unknown, unknown>, vars: Path['vars']): string {
  const args = field.args.filter((a) => isNonNullType(a.type)).map((a) => {
    const name = `a${vars.length}`;
    vars.push({ name, type: String(a.type), arg: a.name });
    return `${a.name}: $${name}`;
  });
  return `${field.name}${args.length ? `(${args.join(', ')})` : ''}`;
}

/** The shortest path to every object type, breadth first from Query, then Subscription, then Mutation; `only` limits the fields walked. */
function pathsTo(only?: (coordinate: string) => boolean): Map<string, Path> {
  const paths = new Map<string, Path>();
  for (const [kind, root] of ROOTS) {
    if (!root || paths.has(root.name)) continue;
    paths.set(root.name, { kind, openers: [], vars: [] });
    const queue: GraphQLObjectType[] = [root];
    while (queue.length) {
      const type = queue.shift()!;
      const from = paths.get(type.name)!;
      for (const field of Object.values(type.getFields())) {
        const target = getNamedType(field.type);
        if (!isObjectType(target) || paths.has(target.name) || (only && !only(`${type.name}.${field.name}`))) continue;
        const vars = [...from.vars];
        paths.set(target.name, { kind: from.kind, openers: [...from.openers, `${call(field, vars)} {`], vars });
        queue.push(target);
      }
    }
  }
  return paths;
}

function documentFor(path: Path, field: GraphQLField<unknown, unknown>): { text: string; vars: Path['vars'] } {
  const vars = [...path.vars];
  const leaf = `${call(field, vars)}${isObjectType(getNamedType(field.type)) ? ' { __typename }' : ''}`;
  const defs = vars.length ? `(${vars.map((v) => `$${v.name}: ${v.type}`).join(', ')})` : '';
  return { text: `${path.kind} Walk${defs} { ${path.openers.join(' ')} ${leaf} ${'}'.repeat(path.openers.length)} }`, vars };
}

/** Runs `jobs` a few at a time. */
async function inBatches<T>(items: T[], size: number, job: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(job));
}

describe("a checkout client secret against the composed API schema", () => {
  let handoff: RunningHandoff;
  let merchant: GqlClient;
  let page: GqlClient;
  let session: { id: string; intentId: string; secret: string };

  beforeAll(async () => {
    handoff = await startTestHandoff();
    const admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
    const merchantId = (await admin.ok(`mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`, {
      input: { name: 'Walk Ltd', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'CPA', cpa: { amountMinor: 100, currency: 'GBP' } } },
    })).createMerchant.id;
    await admin.ok(`mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`, { m: merchantId });
    merchant = admin.as((await admin.ok(`mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`, { input: { role: 'MERCHANT', merchantId } })).createApiKey.key);
    const s = (await merchant.ok(`mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id url paymentIntent { id } } }`, {
      input: { lineItems: [{ name: 'Plan', unitAmount: { amountMinor: 1500, currency: 'GBP' }, quantity: 1 }], customerEmail: 'b@example.com', metadata: { order: 'o-1' } },
    })).createCheckoutSession;
    session = { id: s.id, intentId: s.paymentIntent.id, secret: new URL(s.url).searchParams.get('cs')! };
    page = new GqlClient(handoff.graphqlUrl, session.secret);
  });

  afterAll(async () => handoff?.stop());

  it('refuses every field off the allow-list (FORBIDDEN, before anything runs), each one named', async () => {
    const allowedPaths = pathsTo((c) => ALLOWED.has(c));
    const anyPaths = pathsTo();
    const types = Object.values(apiSchema.getTypeMap()).filter((t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith('__'));
    expect(types.filter((t) => !anyPaths.has(t.name)).map((t) => t.name)).toEqual([]); // the walk reaches every type
    const every = types.flatMap((t) => Object.values(t.getFields()).map((f) => ({ type: t, field: f, coordinate: `${t.name}.${f.name}` })));
    const targets = every.filter((x) => !ALLOWED.has(x.coordinate));
    expect(every.length - targets.length).toBe(ALLOWED.size); // every allowed coordinate is a field of the schema
    const problems: string[] = [];
    await inBatches(targets, 12, async ({ type, field, coordinate }) => {
      // Reached through allowed fields where possible, so the refusal is this field's own.
      const { text } = documentFor(allowedPaths.get(type.name) ?? anyPaths.get(type.name)!, field);
      const res = await page.request(text);
      const e = res.errors?.[0];
      const named = new Set(e?.message.match(/[A-Za-z_]\w*\.[A-Za-z_]\w*/g) ?? []);
      if (res.status !== 403 || e?.extensions?.code !== 'FORBIDDEN' || e.extensions.reason !== REASON || !named.has(coordinate) || res.data) {
        problems.push(`${coordinate}: ${res.status} ${JSON.stringify(res.errors ?? res.data)} for ${text}`);
      }
    });
    console.log(`client secret walk: ${targets.length} fields refused, ${ALLOWED.size} allowed`);
    expect(problems).toEqual([]);
  }, 120_000);

  it('answers every allow-listed field under its own checkout session', async () => {
    const allowedPaths = pathsTo((c) => ALLOWED.has(c));
    const problems: string[] = [];
    for (const coordinate of [...ALLOWED].filter((c) => c.split('.')[0] !== 'Mutation' && c.split('.')[0] !== 'Subscription')) {
      const [typeName, fieldName] = coordinate.split('.') as [string, string];
      const path = allowedPaths.get(typeName);
      if (!path || path.kind !== 'query') {
        problems.push(`${coordinate}: no allowed query path`);
        continue;
      }
      const { text, vars } = documentFor(path, (apiSchema.getType(typeName) as GraphQLObjectType).getFields()[fieldName]!);
      const res = await page.request(text, Object.fromEntries(vars.map((v) => [v.name, v.arg === 'id' ? session.id : undefined])));
      if (res.errors?.length || !res.data?.checkoutSession) problems.push(`${coordinate}: ${JSON.stringify(res.errors ?? res.data)}`);
    }
    expect(problems).toEqual([]);
  });

  it('pays and watches through the allowed mutations and subscription; other subscriptions are refused over graphql-ws', async () => {
    const ws = wsClient(handoff.graphqlUrl, session.secret);
    const refusedOf = async (query: string, variables: Record<string, unknown> = {}) => {
      const c = collect(ws, query, variables);
      const errors = (await c.ended()) as Array<{ extensions?: { code?: string; reason?: string } }>;
      return [errors?.[0]?.extensions?.code, errors?.[0]?.extensions?.reason];
    };
    expect(await refusedOf(`subscription { conversionUpdated { id } }`)).toEqual(['FORBIDDEN', REASON]);
    expect(await refusedOf(`subscription($s: ID) { paymentIntentUpdated(checkoutSessionId: $s) { id metadata } }`, { s: session.id })).toEqual(['FORBIDDEN', REASON]);
    expect(await refusedOf(`query($id: ID!) { paymentIntent(id: $id) { id } }`, { id: session.intentId })).toEqual(['FORBIDDEN', REASON]);

    const watch = collect(ws, `subscription($s: ID) { paymentIntentUpdated(checkoutSessionId: $s) { id status nextAction { type } } }`, { s: session.id });
    await new Promise((r) => setTimeout(r, 400));
    const THREE_DS = `mutation($id: ID!, $approved: Boolean!) { completeThreeDSecure(id: $id, approved: $approved) { id status } }`;
    expect(await page.errorCode(THREE_DS, { id: session.intentId, approved: true })).toBe('INVALID_STATE_TRANSITION'); // reached its subgraph
    const confirmed = await page.ok(`mutation($id: ID!, $card: String!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: $card }) { id status nextAction { type url } } }`, {
      id: session.intentId, card: '4000002760003184',
    });
    expect(confirmed.confirmPaymentIntent).toMatchObject({ status: 'REQUIRES_ACTION', nextAction: { type: expect.any(String) } });
    expect((await page.ok(THREE_DS, { id: session.intentId, approved: true })).completeThreeDSecure.status).toBe('SUCCEEDED');
    await expect.poll(() => watch.results.some((r) => r.data?.paymentIntentUpdated?.status === 'SUCCEEDED'), { timeout: 15_000 }).toBe(true);
    expect(watch.results.every((r) => r.data?.paymentIntentUpdated?.id === session.intentId)).toBe(true);
    watch.stop();
    await ws.dispose();
  });
});
