// Handoff's planner against @apollo/query-planner: for each operation, both plans are prepared
// and run by Handoff's executor (runPlan + result shaping) over the same fake subgraphs, which
// answer every fetch deterministically (gateway/test/support/planner-fixture.ts), with errors
// and nulls. The answers must be identical, and so must the fetches: same subgraphs at the same
// paths, with the same calls (operation kind and representations) in the same number. Twice: on
// a small supergraph made to reach every case of the planner, and on Handoff's own
// (gateway/supergraph.graphql) with every operation the tests send (test/operations/), queries
// and mutations, their variables made from their types.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { getVariableValues } from 'graphql';
import { operationOf, plannerFixture, supergraphFixture, type PlannerFixture } from '../../../test/support/planner-fixture.js';
import { HANDOFF_SUPERGRAPH_FILE, fakeVariables, testOperations } from '../../../test/support/test-operations.js';
import type { FetchNode, PlanNode, QueryPlan } from '../plan.js';
import { executePrepared, prepareOperation } from '../prepared.js';
import { HandoffQueryPlanner } from './query-planner.js';

const fixture = plannerFixture();
const planner = new HandoffQueryPlanner(fixture.schema, fixture.supergraphSdl);

interface Case {
  name: string;
  query: string;
  variables?: Record<string, unknown>[];
  operationName?: string;
}

const cases: Case[] = [
  {
    name: 'nested entity jumps from a root fetch and from an entity fetch',
    query: `query Q($id: ID!) { checkoutSession(id: $id) { id status totals { total { amountMinor currency } }
      merchant { id name offers { name price { currency } merchant { country } } }
      paymentIntent { status amount { amountMinor } merchant { name agent { name } } } } }`,
    variables: [{ id: 'cs_1' }, { id: 'cs_2' }],
  },
  {
    name: 'lists: an entity fetch per path over every element, several subgraphs at one path',
    query: `{ conversions(first: 3) { id status value { amountMinor } milestones { name value { currency } }
      merchant { name country } agent { name } session { status lineItems { name offer { name price { amountMinor } } } paymentIntent { status } } } }`,
  },
  {
    name: 'jumps at every depth, several at one object, in both orders (fetch order and numbering)',
    query: `query J { conversion(id: "c") { session { paymentIntent { merchant { name } status } status lineItems { offer { name } } }
      agent { name } merchant { name offers { merchant { agent { name } } } } } checkoutSession(id: "1") { status paymentIntent { status } } }`,
  },
  {
    name: 'a field repeated after others: its second selection merges into the first (fetch order too)',
    query: `{ conversion(id: "c") { session { status } merchant { name } agent { name }
      session { paymentIntent { status merchant { name } } lineItems { offer { name } } } merchant { offers { name } } } }`,
  },
  {
    name: 'connections: edges and nodes, a jump below a list below a list',
    query: `query ($first: Int = 2) { checkoutSessions(first: $first) { totalCount edges { cursor node { id merchant { name offers(first: 3) { name merchant { name } } } payments { status amount { currency } } } } } }`,
    variables: [{}, { first: 3 }],
  },
  {
    name: 'named and inline fragments, nested, spread at several levels',
    query: `query F($id: ID!) { checkoutSession(id: $id) { ...Session ... on CheckoutSession { merchant { ...Merchant } } ... { note } } }
      fragment Session on CheckoutSession { id status merchant { id ...Merchant } paymentIntent { ...Payment } }
      fragment Merchant on Merchant { name offers { ...Offer } }
      fragment Offer on Offer { name price { amountMinor } }
      fragment Payment on PaymentIntent { status merchant { ...Merchant } }`,
    variables: [{ id: 'cs_1' }],
  },
  {
    name: 'aliases on root fields, jump fields, entity parents and leaves; a field twice under one name',
    query: `{ a: checkoutSession(id: "1") { sid: id boss: merchant { label: name n2: name } pi: paymentIntent { st: status } }
      b: checkoutSession(id: "2") { merchant { id } buyer { id } }
      b: checkoutSession(id: "2") { merchant { name } }
      m1: merchant(id: "x") { name } m2: merchant(id: "y") { country } }`,
  },
  {
    name: '@skip/@include inside one fetch, with variables, literals and defaults',
    query: `query S($x: Boolean!, $y: Boolean = false) { checkoutSession(id: "1") { note @include(if: $x) status
      merchant @skip(if: $y) { id } ... @include(if: $x) { totals { total { amountMinor } } }
      paymentIntent { status amount @skip(if: $x) { currency } } } }`,
    variables: [{ x: true }, { x: false }, { x: true, y: true }],
  },
  {
    name: 'variables used only by an entity fetch; literals of every kind',
    query: `query V($n: Int, $m: ID!) { conversion(id: $m) { merchant { offers(first: $n) { name } } } merchants(first: 1) { name } }`,
    variables: [{ m: 'c1', n: 1 }, { m: 'c2' }],
  },
  {
    name: 'subgraph errors in a root fetch and in entity fetches (paths into lists)',
    query: `{ checkoutSession(id: "1") { secret id merchant { secret name } paymentIntent { secret status } }
      conversions(first: 2) { merchant { secret name } } }`,
  },
  {
    name: '__typename: at the root (answered by the gateway), aliased, nested, beside keys',
    query: `{ __typename t: __typename checkoutSession(id: "1") { __typename kind: __typename merchant { __typename name } } viewer { __typename role merchant { name } } }`,
  },
  {
    name: 'an entity fetched where another subgraph also resolves it (payment-intent → checkout-session)',
    query: `{ paymentIntent(id: "p1") { status checkoutSession { id status paymentIntent { status } merchant { name } } merchant { id } } }`,
  },
  {
    name: 'a mutation: root fields in order, consecutive fields of one subgraph in one fetch, entity fetches between',
    query: `mutation M($name: String!, $input: CreateCheckoutSessionInput!) {
      renameMerchant(id: "m1", name: $name) { name }
      created: createCheckoutSession(input: $input) { id status merchant { name } paymentIntent { status } }
      completeCheckoutSession(id: "cs_1") { status }
      capturePaymentIntent(id: "p1") { status checkoutSession { status } }
      again: renameMerchant(id: "m2", name: $name) { id } }`,
    variables: [{ name: 'N', input: { merchantId: 'm1', amount: { amountMinor: 100, currency: 'EUR' }, tags: ['a'] } }],
  },
  {
    name: 'an anonymous mutation of one field',
    query: `mutation { reportConversion(sessionId: "cs_1") { id merchant { name } session { status } } }`,
  },
  {
    name: 'two operations in one document, chosen by name',
    query: `query A { merchant(id: "1") { name } } query B { checkoutSession(id: "1") { merchant { name } } }`,
    operationName: 'B',
  },
];

describe("Handoff's planner answers exactly as @apollo/query-planner's plans", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const { operation, fragments } = operationOf(c.query, c.operationName);
      const ours = planner.plan(operation, fragments);
      const theirs = fixture.apolloPlan(c.query, c.operationName);
      expect(shapeOf(ours.node)).toEqual(shapeOf(theirs.node));
      for (const variables of c.variables ?? [{}]) {
        const [a, b] = await Promise.all([run(fixture, ours, c, variables), run(fixture, theirs, c, variables)]);
        expect(a.calls).toEqual(b.calls);
        expect(a.mutations).toEqual(b.mutations);
        expect(JSON.stringify(a.result)).toBe(JSON.stringify(b.result));
        expect(a.result.data).toBeTruthy();
      }
    });
  }

  it('the cases above exercise errors, nulls and every kind of fetch', async () => {
    const results = await Promise.all(cases.map(async (c) => (await run(fixture, planner.plan(...planArgs(c)), c, c.variables?.[0] ?? {})).result));
    expect(results.some((r) => (r.errors?.length ?? 0) > 0)).toBe(true);
    expect(JSON.stringify(results)).toContain('null');
  });
});

describe("Handoff's planner on Handoff's supergraph answers exactly as @apollo/query-planner's plans, for every operation in test/operations/", () => {
  const real = supergraphFixture(readFileSync(HANDOFF_SUPERGRAPH_FILE, 'utf8'));
  const realPlanner = new HandoffQueryPlanner(real.schema, real.supergraphSdl);
  const operations = testOperations();

  it('reads the real supergraph and every operation, queries and mutations', () => {
    expect(realPlanner.unsupported).toBeUndefined();
    expect(operations.filter((o) => o.kind === 'query').length).toBeGreaterThanOrEqual(15);
    expect(operations.filter((o) => o.kind === 'mutation').length).toBeGreaterThanOrEqual(15);
  });

  for (const op of operations.filter((o) => o.kind !== 'subscription')) {
    it(`${op.kind} ${op.name} (${op.file})`, async () => {
      const c: Case = { name: op.name, query: op.text, operationName: op.name };
      const ours = realPlanner.plan(...planArgs(c));
      const theirs = real.apolloPlan(op.text, op.name);
      expect(shapeOf(ours.node)).toEqual(shapeOf(theirs.node));
      // Required variables only (defaults apply), then every variable given.
      for (const all of [false, true]) {
        const variables = fakeVariables(real.schema, op.operation, all);
        const [a, b] = await Promise.all([run(real, ours, c, variables), run(real, theirs, c, variables)]);
        expect(a.calls.length).toBeGreaterThan(0);
        expect(a.calls).toEqual(b.calls);
        expect(a.mutations).toEqual(b.mutations);
        expect(JSON.stringify(a.result)).toBe(JSON.stringify(b.result));
        if (op.kind === 'mutation') expect(a.mutations.length).toBeGreaterThan(0);
      }
    });
  }
});

function planArgs(c: Case) {
  const { operation, fragments } = operationOf(c.query, c.operationName);
  return [operation, fragments] as const;
}

/**
 * A plan's shape: its Sequence/Parallel nodes and, for every fetch in order, its subgraph, path,
 * operation kind and name, representation and forwarded variables (not the text, whose field order
 * and literal spelling differ).
 */
function shapeOf(node: PlanNode | QueryPlan['node'] | undefined, path = ''): unknown {
  if (!node) return null;
  switch (node.kind) {
    case 'Sequence':
    case 'Parallel':
      return { [node.kind]: node.nodes.map((n) => shapeOf(n, path)) };
    case 'Flatten':
      return shapeOf(node.node, node.path.join('.'));
    case 'Fetch':
      return `${node.serviceName} @${path} ${node.operationKind} ${node.operationName} ${JSON.stringify(node.requires ?? null)} ${[...(node.variableUsages ?? [])].sort()}`;
    default:
      throw new Error(`unexpected plan node ${node.kind}`);
  }
}

async function run(fixture: PlannerFixture, plan: QueryPlan, c: Case, variables: Record<string, unknown>) {
  const { operation, fragments } = operationOf(c.query, c.operationName);
  const prepared = prepareOperation({ schema: fixture.schema, operation, fragments, queryPlan: plan });
  if (!prepared) throw new Error('plan not preparable');
  const { coerced, errors } = getVariableValues(fixture.schema, operation.variableDefinitions ?? [], variables);
  if (errors) throw errors[0];
  const calls: string[] = [];
  const mutations: string[] = [];
  const result = await executePrepared(prepared, variables, coerced, async (fetch: FetchNode, body: string) => {
    const sent = JSON.parse(body) as { variables: Record<string, unknown> };
    const forwarded = Object.keys(sent.variables).filter((k) => k !== 'representations').sort().map((k) => `${k}=${JSON.stringify(sent.variables[k])}`);
    calls.push(`${fetch.serviceName} ${fetch.operationKind} ${forwarded.join(',')} ${JSON.stringify(sent.variables.representations ?? null)}`);
    if (fetch.operationKind === 'mutation') mutations.push(fetch.serviceName);
    return fixture.call(fetch, body);
  });
  return { calls: calls.sort(), mutations, result: JSON.parse(JSON.stringify(result)) as { data?: unknown; errors?: unknown[] } };
}
