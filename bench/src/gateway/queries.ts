// The client operations the bench sends, and for each the subgraph call a client would
// make directly (target "direct": the first hop of the plan, on the fixture's open port).
import type { FixtureSubgraph } from './fixtures.js';

export type QueryName = 'Q1' | 'Q2' | 'Q3' | 'Q4' | 'Q1P';

const SESSION_FIELDS = `id status mode url expiresAt
      totals { subtotal { amountMinor currency amount } total { amountMinor currency amount } }
      merchant { id name country defaultCurrency status }
      paymentIntent { id status amount { amountMinor currency amount } captureMode provider createdAt }`;

export interface BenchQuery {
  name: QueryName;
  title: string;
  query: string;
  variables: Record<string, unknown>;
  /** Sequential rounds of subgraph calls in the plan (the critical path). */
  rounds: number;
  /**
   * Sent as a persisted document: `extensions.persistedQuery` with the text's sha256 and no text
   * (Apollo's APQ wire format; Handoff finds it in its trusted-documents manifest).
   */
  persisted?: boolean;
  /** The plan's first hop, sent straight to its subgraph. */
  direct: { subgraph: FixtureSubgraph; query: string; variables: Record<string, unknown> };
}

const Q1_TEXT = `query Q1($id: ID!) { checkoutSession(id: $id) { ${SESSION_FIELDS} } }`;
const Q1_DIRECT = {
  subgraph: 'checkout-session' as const,
  query:
    'query Q1__checkout_session__0($id:ID!){checkoutSession(id:$id){id status mode url expiresAt totals{subtotal{amountMinor currency amount}total{amountMinor currency amount}}merchant{__typename id}paymentIntent{__typename id}}}',
  variables: { id: 'cs_7' },
};
const MONEY = '{ amountMinor currency amount }';
const CALCULATION_FIELDS = `id calculatedAt currency pricesIncludeTax
        lines { id name offerId quantity unitAmount ${MONEY} base ${MONEY} discount ${MONEY} taxCategory tax ${MONEY} taxInclusive total ${MONEY} fulfilmentLocationId }
        taxLines { target lineId country region category basisPoints taxableBase ${MONEY} amount ${MONEY} inclusive }
        shipping { kind id label amount ${MONEY} tax ${MONEY} }
        promotions { promotionId code automatic amount ${MONEY} }
        totals { subTotal ${MONEY} discountTotal ${MONEY} taxTotal ${MONEY} shippingTotal ${MONEY} grandTotal ${MONEY} includedTaxTotal ${MONEY} }
        rounding`;
const M = '{amountMinor currency amount}';

export const QUERIES: Record<QueryName, BenchQuery> = {
  Q1: {
    name: 'Q1',
    title: 'one checkout session + merchant + payment intent (3 subgraph calls, 2 rounds)',
    query: Q1_TEXT,
    variables: { id: 'cs_7' },
    rounds: 2,
    direct: Q1_DIRECT,
  },
  Q1P: {
    name: 'Q1P',
    title: 'Q1 as a persisted document: the sha256 only, no text (APQ wire format)',
    query: Q1_TEXT,
    variables: { id: 'cs_7' },
    rounds: 2,
    persisted: true,
    direct: Q1_DIRECT,
  },
  Q2: {
    name: 'Q2',
    title: 'fifty checkout sessions, each + merchant + payment intent (3 calls, 2 rounds)',
    query: `query Q2($first: Int!) { checkoutSessions(first: $first) { totalCount edges { node { ${SESSION_FIELDS} } } } }`,
    variables: { first: 50 },
    rounds: 2,
    direct: {
      subgraph: 'checkout-session',
      query:
        'query Q2__checkout_session__0($first:Int!){checkoutSessions(first:$first){totalCount edges{node{id status mode url expiresAt totals{subtotal{amountMinor currency amount}total{amountMinor currency amount}}merchant{__typename id}paymentIntent{__typename id}}}}}',
      variables: { first: 50 },
    },
  },
  Q3: {
    name: 'Q3',
    title: 'BI: 20 conversions + merchant, agent, milestones, session → payment intent (5 calls, 3 rounds)',
    query: `query Q3($first: Int!) { conversions(first: $first) { totalCount edges { node {
      id status conversionPath transactionValue { amountMinor currency amount } validatesAt createdAt
      milestones { name at value { amountMinor currency } }
      merchant { id name country status }
      agent { id name createdAt }
      checkoutSession { id status totals { total { amountMinor currency } } paymentIntent { id status provider amount { amountMinor currency } } }
    } } } }`,
    variables: { first: 20 },
    rounds: 3,
    direct: {
      subgraph: 'conversion-ledger',
      query:
        'query Q3__conversion_ledger__0($first:Int!){conversions(first:$first){totalCount edges{node{id status conversionPath transactionValue{amountMinor currency amount}validatesAt createdAt milestones{name at value{amountMinor currency}}merchant{__typename id}agent{__typename id}checkoutSession{__typename id}}}}}',
      variables: { first: 20 },
    },
  },
  Q4: {
    name: 'Q4',
    title: "checkout's calculation: a session with its calculation (lines, tax lines, shipping, promotions, totals) + merchant (2 calls, 2 rounds)",
    query: `query Q4($id: ID!) { checkoutSession(id: $id) { id status currency
      calculation { ${CALCULATION_FIELDS} }
      merchant { id name country defaultCurrency } } }`,
    variables: { id: 'cs_11' },
    rounds: 2,
    direct: {
      subgraph: 'checkout-session',
      query:
        `query Q4__checkout_session__0($id:ID!){checkoutSession(id:$id){id status currency calculation{id calculatedAt currency pricesIncludeTax lines{id name offerId quantity unitAmount${M}base${M}discount${M}taxCategory tax${M}taxInclusive total${M}fulfilmentLocationId}taxLines{target lineId country region category basisPoints taxableBase${M}amount${M}inclusive}shipping{kind id label amount${M}tax${M}}promotions{promotionId code automatic amount${M}}totals{subTotal${M}discountTotal${M}taxTotal${M}shippingTotal${M}grandTotal${M}includedTaxTotal${M}}rounding}merchant{__typename id}}}`,
      variables: { id: 'cs_11' },
    },
  },
};
