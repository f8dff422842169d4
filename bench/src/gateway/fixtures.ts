// The bench's fixture subgraphs: the same four subgraph names as Handoff, with types that mirror
// Handoff's (CheckoutSession, Merchant, PaymentIntent, Conversion, Agent), over in-memory data.
// They are built to be cheap, so that a run measures the gateway in front of them and not them.
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';
import { formatDecimal, money as toMoney } from '@handoff/shared';

export const FIXTURE_SUBGRAPHS = ['merchant', 'checkout-session', 'payment-intent', 'conversion-ledger'] as const;
export type FixtureSubgraph = (typeof FIXTURE_SUBGRAPHS)[number];

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@inaccessible"])';
const MONEY = `
type Money @shareable { amountMinor: Int! currency: String! amount: String! }
scalar DateTime`;

export const FIXTURE_SDL: Record<FixtureSubgraph, string> = {
  merchant: `${LINK}
${MONEY}
type Merchant @key(fields: "id") { id: ID! name: String! country: String! defaultCurrency: String! status: String! createdAt: DateTime! }
type Agent @key(fields: "id") { id: ID! name: String! createdAt: DateTime! }
type ApiKeyPrincipal @inaccessible { keyId: ID! role: String! merchantId: ID agentId: ID }
type Query {
  merchant(id: ID!): Merchant
  agent(id: ID!): Agent
  apiKeyPrincipal(keyHash: String!): ApiKeyPrincipal @inaccessible
}`,
  'checkout-session': `${LINK}
${MONEY}
type Totals @shareable { subtotal: Money! total: Money! }
type Merchant @key(fields: "id", resolvable: false) { id: ID! }
type PaymentIntent @key(fields: "id", resolvable: false) { id: ID! }
type CheckoutSession @key(fields: "id") {
  id: ID! status: String! mode: String! url: String! expiresAt: DateTime! createdAt: DateTime! totals: Totals!
  merchant: Merchant! paymentIntent: PaymentIntent
  currency: String! calculation: CheckoutCalculation
}
# Handoff's calculation (checkout-session's CheckoutCalculation), the fields a checkout page reads.
type CheckoutCalculationLine {
  id: ID! name: String! offerId: ID quantity: Int! unitAmount: Money! base: Money! discount: Money!
  taxCategory: String! tax: Money! taxInclusive: Boolean! total: Money! fulfilmentLocationId: ID!
}
type CheckoutTaxLine { target: String! lineId: ID country: String region: String category: String basisPoints: Int taxableBase: Money! amount: Money! inclusive: Boolean! }
type CheckoutCalculatedShipping { kind: String! id: ID! label: String! amount: Money! tax: Money! }
type CheckoutAppliedPromotion { promotionId: ID! code: String automatic: Boolean! amount: Money! }
type CheckoutCalculationTotals { subTotal: Money! discountTotal: Money! taxTotal: Money! shippingTotal: Money! grandTotal: Money! includedTaxTotal: Money! }
type CheckoutCalculation {
  id: ID! calculatedAt: DateTime! currency: String! pricesIncludeTax: Boolean!
  lines: [CheckoutCalculationLine!]! taxLines: [CheckoutTaxLine!]! shipping: CheckoutCalculatedShipping
  promotions: [CheckoutAppliedPromotion!]! totals: CheckoutCalculationTotals! rounding: String!
}
type CheckoutSessionEdge { cursor: String! node: CheckoutSession! }
type CheckoutSessionConnection { edges: [CheckoutSessionEdge!]! totalCount: Int! }
type Query {
  checkoutSession(id: ID!): CheckoutSession
  checkoutSessions(first: Int): CheckoutSessionConnection!
}`,
  'payment-intent': `${LINK}
${MONEY}
type PaymentIntent @key(fields: "id") {
  id: ID! status: String! amount: Money! captureMode: String! provider: String! createdAt: DateTime!
}
type Query { paymentIntent(id: ID!): PaymentIntent }`,
  'conversion-ledger': `${LINK}
${MONEY}
type Merchant @key(fields: "id", resolvable: false) { id: ID! }
type Agent @key(fields: "id", resolvable: false) { id: ID! }
type CheckoutSession @key(fields: "id", resolvable: false) { id: ID! }
type ConversionMilestone { name: String! at: DateTime! value: Money }
type Conversion @key(fields: "id") {
  id: ID! status: String! conversionPath: String! transactionValue: Money! validatesAt: DateTime! createdAt: DateTime!
  milestones: [ConversionMilestone!]! merchant: Merchant! agent: Agent checkoutSession: CheckoutSession
}
type ConversionEdge { cursor: String! node: Conversion! }
type ConversionConnection { edges: [ConversionEdge!]! totalCount: Int! }
type Query {
  conversion(id: ID!): Conversion
  conversions(first: Int): ConversionConnection!
}`,
};

// ---- data ----
const N = 200;
const iso = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
const money = (amountMinor: number) => ({ amountMinor, currency: 'EUR', amount: formatDecimal(toMoney(amountMinor, 'EUR')) });

const merchants = new Map(
  Array.from({ length: 10 }, (_, i) => {
    const id = `mer_${i + 1}`;
    return [id, { id, name: `Merchant ${i + 1}`, country: 'FR', defaultCurrency: 'EUR', status: 'ACTIVE', createdAt: iso(i) }];
  }),
);
const agents = new Map(
  Array.from({ length: 10 }, (_, i) => {
    const id = `agt_${i + 1}`;
    return [id, { id, name: `Agent ${i + 1}`, createdAt: iso(i) }];
  }),
);
const paymentIntents = new Map(
  Array.from({ length: N }, (_, i) => {
    const id = `pi_${i + 1}`;
    return [id, { id, status: 'SUCCEEDED', amount: money(1000 + i), captureMode: 'AUTOMATIC', provider: 'TEST', createdAt: iso(i) }];
  }),
);
/** A calculation as Handoff stores one: three lines, VAT on each line and on shipping, one promotion. */
function calculation(i: number) {
  const lines = [0, 1, 2].map((k) => {
    const unit = 500 + 100 * k + i;
    const quantity = k + 1;
    const base = unit * quantity;
    const discount = k === 0 ? 100 : 0;
    const tax = Math.round(((base - discount) * 2000) / 12000);
    return {
      id: `line_${k + 1}`,
      name: `Item ${k + 1}`,
      offerId: `off_${k + 1}`,
      quantity,
      unitAmount: money(unit),
      base: money(base),
      discount: money(discount),
      taxCategory: 'standard',
      tax: money(tax),
      taxInclusive: true,
      total: money(base - discount),
      fulfilmentLocationId: 'loc_1',
    };
  });
  const sub = lines.reduce((a, l) => a + l.base.amountMinor, 0);
  const discount = lines.reduce((a, l) => a + l.discount.amountMinor, 0);
  const lineTax = lines.reduce((a, l) => a + l.tax.amountMinor, 0);
  const shipping = { kind: 'SHIPPING', id: 'ship_standard', label: 'Standard', amount: money(490), tax: money(82) };
  const taxLines = [
    ...lines.map((l) => ({ target: 'LINE', lineId: l.id, country: 'FR', region: null, category: 'standard', basisPoints: 2000, taxableBase: money(l.total.amountMinor - l.tax.amountMinor), amount: l.tax, inclusive: true })),
    { target: 'SHIPPING', lineId: null, country: 'FR', region: null, category: 'shipping', basisPoints: 2000, taxableBase: money(408), amount: money(82), inclusive: true },
  ];
  const grand = sub - discount + 490;
  return {
    id: `calc_${i + 1}`,
    calculatedAt: iso(i + 30),
    currency: 'EUR',
    pricesIncludeTax: true,
    lines,
    taxLines,
    shipping,
    promotions: [{ promotionId: 'promo_1', code: 'WELCOME', automatic: false, amount: money(discount) }],
    totals: { subTotal: money(sub), discountTotal: money(discount), taxTotal: money(lineTax + 82), shippingTotal: money(490), grandTotal: money(grand), includedTaxTotal: money(lineTax + 82) },
    rounding: 'per line, half up, in minor units',
  };
}
const sessions = Array.from({ length: N }, (_, i) => ({
  id: `cs_${i + 1}`,
  status: 'COMPLETE',
  mode: 'PAYMENT',
  url: `https://pay.example.test/c/cs_${i + 1}`,
  expiresAt: iso(3600 + i),
  createdAt: iso(i),
  totals: { subtotal: money(900 + i), total: money(1000 + i) },
  merchant: { id: `mer_${(i % 10) + 1}` },
  paymentIntent: { id: `pi_${i + 1}` },
  currency: 'EUR',
  calculation: calculation(i),
}));
const sessionById = new Map(sessions.map((s) => [s.id, s]));
const conversions = Array.from({ length: N }, (_, i) => ({
  id: `cnv_${i + 1}`,
  status: 'VALIDATED',
  conversionPath: 'INSTANT_CHECKOUT',
  transactionValue: money(1000 + i),
  validatesAt: iso(86_400 + i),
  createdAt: iso(i),
  milestones: ['session_created', 'checkout_completed', 'payment_captured', 'validated'].map((name, k) => ({
    name,
    at: iso(i + k * 60),
    value: k === 2 ? money(1000 + i) : null,
  })),
  merchant: { id: `mer_${(i % 10) + 1}` },
  agent: { id: `agt_${(i % 10) + 1}` },
  checkoutSession: { id: `cs_${i + 1}` },
}));
const conversionById = new Map(conversions.map((c) => [c.id, c]));

/** The one API key the bench uses, and the principal the merchant fixture answers for its hash. */
export const BENCH_API_KEY = 'hk_mer_benchbenchbenchbenchbenchbench0001';
export const BENCH_KEY_ROW = { keyId: 'key_bench', role: 'MERCHANT', merchantId: 'mer_1', agentId: null };

const connection = <T extends { id: string }>(all: T[], first: number | null | undefined) => {
  const n = Math.max(0, Math.min(first ?? 20, 100));
  return { edges: all.slice(0, n).map((node) => ({ cursor: node.id, node })), totalCount: all.length };
};

export function fixtureSchema(name: FixtureSubgraph, keyHash: string): GraphQLSchema {
  const resolvers: Record<FixtureSubgraph, Record<string, unknown>> = {
    merchant: {
      Query: {
        merchant: (_: unknown, { id }: { id: string }) => merchants.get(id) ?? null,
        agent: (_: unknown, { id }: { id: string }) => agents.get(id) ?? null,
        apiKeyPrincipal: (_: unknown, { keyHash: h }: { keyHash: string }) => (h === keyHash ? BENCH_KEY_ROW : null),
      },
      Merchant: { __resolveReference: (ref: { id: string }) => merchants.get(ref.id) ?? null },
      Agent: { __resolveReference: (ref: { id: string }) => agents.get(ref.id) ?? null },
    },
    'checkout-session': {
      Query: {
        checkoutSession: (_: unknown, { id }: { id: string }) => sessionById.get(id) ?? null,
        checkoutSessions: (_: unknown, { first }: { first?: number }) => connection(sessions, first),
      },
      CheckoutSession: { __resolveReference: (ref: { id: string }) => sessionById.get(ref.id) ?? null },
    },
    'payment-intent': {
      Query: { paymentIntent: (_: unknown, { id }: { id: string }) => paymentIntents.get(id) ?? null },
      PaymentIntent: { __resolveReference: (ref: { id: string }) => paymentIntents.get(ref.id) ?? null },
    },
    'conversion-ledger': {
      Query: {
        conversion: (_: unknown, { id }: { id: string }) => conversionById.get(id) ?? null,
        conversions: (_: unknown, { first }: { first?: number }) => connection(conversions, first),
      },
      Conversion: { __resolveReference: (ref: { id: string }) => conversionById.get(ref.id) ?? null },
    },
  };
  return buildSubgraphSchema([{ typeDefs: parse(FIXTURE_SDL[name]), resolvers: resolvers[name] as never }]);
}
