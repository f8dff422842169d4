// Handoff's executor (gateway/src/execution) against @apollo/gateway's, on the same subgraphs and
// data: a second gateway runs with GATEWAY_EXECUTOR=apollo, and every query is sent to both. The
// queries are GENERATED from the composed schema (every readable root, to depth 4, as a merchant,
// an agent and an admin, with the other tenant's ids too, so denials and partial errors are
// compared as well as data), plus hand-written shapes the generator does not make: variables,
// defaults, @skip/@include, named and inline fragments, aliases, __typename, bad variables, NUL.
// Each query goes to Handoff's gateway twice (the first run validates it through Apollo Server and
// plans it with Handoff's planner, or with @apollo/gateway's for what that planner leaves alone;
// the second runs prepared, without Apollo Server) and must answer exactly as Apollo's: same
// status, same JSON. The gateway's operations metric tells which executor ran each request, and so
// proves that the generated queries were planned by Handoff's planner (a first run counted
// `apollo` is one it left to @apollo/gateway), not only run from Apollo's plans. Mutations too:
// every mutation in test/operations/ (their variables made from their types, unknown ids), sent
// as principals that are refused it or meet unknown objects, so both gateways see the same state.
import { readFileSync } from 'node:fs';
import { buildSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSupergraph, type RunningHandoff } from '@handoff/launcher';
import { createGateway, loadGatewayConfig, type HandoffGateway } from '@handoff/gateway';
import type { RunningServer } from '@handoff/shared';
import type { GqlClient } from '../support/client.js';
import { fakeVariables, testOperations } from '../../gateway/test/support/test-operations.js';
import { printTree } from './sweep/selection.js';
import { rootCalls } from './sweep/tenancy.js';
import { startTwoTenantWorld, type Tenant, type TwoTenantWorld } from './sweep/tenants.js';

interface Answer {
  status: number;
  body: unknown;
}

async function post(url: string, key: string | undefined, query: string, variables?: unknown, operationName?: string): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, ...(variables !== undefined ? { variables } : {}), ...(operationName ? { operationName } : {}) }),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) };
}

async function operationsRun(gatewayUrl: string): Promise<{ handoff: number; apollo: number }> {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  const count = (executor: string) => Number(new RegExp(`handoff_gateway_operations_total\\{[^}]*executor="${executor}"[^}]*\\} (\\d+)`).exec(text)?.[1] ?? 0);
  return { handoff: count('handoff'), apollo: count('apollo') };
}

describe("Handoff's executor answers exactly as @apollo/gateway's", () => {
  let world: TwoTenantWorld;
  let handoff: RunningHandoff;
  let apolloGateway: HandoffGateway;
  let apolloServer: RunningServer;
  let apolloUrl: string;
  let admin: GqlClient;
  let A: Tenant;
  let B: Tenant;
  const keyOf = (c: GqlClient) => c.key;

  beforeAll(async () => {
    world = await startTwoTenantWorld();
    ({ handoff, admin, A, B } = world);

    const { supergraphSdl } = composeSupergraph(handoff.subgraphs.map((s) => ({ name: s.name, url: s.url, sdl: s.app.sdl })));
    apolloGateway = await createGateway({
      config: loadGatewayConfig({ ...handoff.env, PORT: '0', GATEWAY_EXECUTOR: 'apollo' }),
      supergraphSdl,
      subgraphUrls: Object.fromEntries(handoff.subgraphs.map((s) => [s.name, s.url])),
    });
    apolloServer = await apolloGateway.listen(0);
    apolloUrl = `${apolloServer.url}/graphql`;
  }, 180_000);

  afterAll(async () => {
    await apolloServer?.close();
    await apolloGateway?.close();
    await world?.stop();
  });

  /**
   * Sends a query to both gateways (twice to Handoff's: planned on a miss through Apollo Server,
   * then prepared); returns a description of the differences, if any.
   */
  async function compare(key: string | undefined, query: string, variables?: unknown, operationName?: string): Promise<string | undefined> {
    const first = await post(handoff.graphqlUrl, key, query, variables, operationName);
    const second = await post(handoff.graphqlUrl, key, query, variables, operationName);
    const theirs = await post(apolloUrl, key, query, variables, operationName);
    // A signed download link is made at request time (its expiry counts from now): the same export's
    // link differs across a second boundary whichever executor asks, so its expiry and signature
    // are masked before comparing (the link itself is checked by checkout-analytics.e2e).
    const timeless = (body: unknown) =>
      JSON.stringify(body)
        .replace(/expires=\d+&signature=[0-9a-f]+/g, 'expires=…&signature=…')
        .replace(/("__typename":"CheckoutExportDownload"[^}]*?"expiresAt":)"[^"]*"/g, '$1"…"');
    const same = (a: Answer) => a.status === theirs.status && timeless(a.body) === timeless(theirs.body);
    if (same(first) && same(second)) return undefined;
    const show = (a: Answer) => `${a.status} ${JSON.stringify(a.body).slice(0, 400)}`;
    return `${query.slice(0, 160)} ${JSON.stringify(variables ?? {})}\n  handoff (miss) ${show(first)}\n  handoff (prepared) ${show(second)}\n  apollo  ${show(theirs)}`;
  }

  it('every generated root query, as a merchant, an agent and an admin, with own and other ids', async () => {
    const before = await operationsRun(handoff.gatewayUrl);
    const problems: string[] = [];
    let compared = 0;
    let withErrors = 0;
    for (const [own, other] of [[A, B], [B, A]] as const) {
      for (const client of [own.merchant, own.agent, admin]) {
        for (const call of rootCalls(own, other).calls) {
          const query = `{ ${call.field}${call.args} ${printTree(call.tree)} }`;
          const probe = await post(apolloUrl, keyOf(client), query);
          const body = probe.body as { errors?: Array<{ extensions?: { code?: string } }> };
          if (body.errors?.some((e) => e.extensions?.code === 'QUERY_TOO_COMPLEX')) continue;
          if (body.errors?.length) withErrors++;
          const diff = await compare(keyOf(client), query);
          compared++;
          if (diff) problems.push(diff);
        }
      }
    }
    const after = await operationsRun(handoff.gatewayUrl);
    const byHandoff = after.handoff - before.handoff;
    const byApollo = after.apollo - before.apollo;
    console.log(`executor equivalence: ${compared} generated queries compared (${withErrors} answered with errors); handoff ran ${byHandoff}, apollo ${byApollo}`);
    expect(problems).toEqual([]);
    expect(compared).toBeGreaterThan(50);
    expect(withErrors).toBeGreaterThan(5);
    // Every compared query ran prepared at least once (its second run) on Handoff's gateway, and
    // Handoff's planner planned at least 90 % of them (their first run too was Handoff's).
    expect(byHandoff + byApollo).toBe(2 * compared);
    expect(byApollo).toBeLessThanOrEqual(Math.floor(compared / 10));
  }, 300_000);

  it('every mutation in test/operations/, refused or on unknown objects, as a merchant, an agent and no one', async () => {
    const apiSchema = buildSchema(readFileSync(new URL('../../gateway/api-schema.graphql', import.meta.url), 'utf8'));
    const mutations = testOperations().filter((o) => o.kind === 'mutation');
    expect(mutations.length).toBeGreaterThanOrEqual(15);
    const before = await operationsRun(handoff.gatewayUrl);
    const problems: string[] = [];
    const compared = new Set<string>();
    const succeeded: string[] = [];
    for (const op of mutations) {
      for (const [who, key] of [['merchant', keyOf(A.merchant)], ['agent', keyOf(A.agent)], ['no one', undefined]] as const) {
        const variables = fakeVariables(apiSchema, op.operation, true);
        // Asked of @apollo/gateway first: a mutation this principal may run and that succeeds
        // changed something (an answer with new ids), so it is not sent again to be compared.
        const probe = await post(apolloUrl, key, op.text, variables, op.name);
        if (!(probe.body as { errors?: unknown[] }).errors?.length) {
          succeeded.push(`${op.name} as ${who}`);
          continue;
        }
        const diff = await compare(key, op.text, variables, op.name);
        compared.add(op.name);
        if (diff) problems.push(diff);
      }
    }
    const after = await operationsRun(handoff.gatewayUrl);
    console.log(`executor equivalence: ${mutations.length} mutations, compared ${compared.size}; succeeded (not compared): ${succeeded.join(', ') || 'none'}`);
    expect(problems).toEqual([]);
    // Every mutation compared at least once, and Handoff's gateway ran each through its own
    // planner and executor (none left to @apollo/gateway).
    expect([...compared].sort()).toEqual(mutations.map((o) => o.name).sort());
    expect(after.apollo - before.apollo).toBe(0);
    expect(after.handoff - before.handoff).toBeGreaterThan(0);
  }, 180_000);

  it('variables, defaults, @skip/@include, fragments, aliases, __typename, bad variables and NUL', async () => {
    const merchant = keyOf(A.merchant);
    const agent = keyOf(A.agent);
    const sessionId = A.ids.CheckoutSession![0]!;
    const conversionId = A.ids.Conversion![0]!;
    const otherSession = B.ids.CheckoutSession![0]!;
    const session = `query S($id: ID!, $withPay: Boolean!, $noMerchant: Boolean = false) {
      checkoutSession(id: $id) {
        kind: __typename
        id
        ...Money
        merchant @skip(if: $noMerchant) { __typename id name n2: name }
        paymentIntent @include(if: $withPay) { ... on PaymentIntent { id status amount { amountMinor currency } } }
        status
      }
    }
    fragment Money on CheckoutSession { totals { total { amountMinor currency } } }`;
    const cases: Array<[string | undefined, string, unknown?, string?]> = [
      [merchant, session, { id: sessionId, withPay: true }],
      [merchant, session, { id: sessionId, withPay: false, noMerchant: true }],
      [merchant, session, { id: otherSession, withPay: true }],
      [merchant, session, { id: sessionId }],
      [merchant, session, { id: sessionId, withPay: 'yes' }],
      [merchant, session, { id: 'x\u0000y', withPay: true }],
      [merchant, session, { id: sessionId, withPay: true }, 'S'],
      [merchant, session, { id: sessionId, withPay: true }, 'Nope'],
      [undefined, session, { id: sessionId, withPay: true }],
      ['hk_live_not_a_real_key_000000000000', session, { id: sessionId, withPay: true }],
      [agent, `query($id: ID!) { conversion(id: $id) { id status merchant { id name } agent { id } } }`, { id: conversionId }],
      [merchant, `query($id: ID!) { conversion(id: $id) { a: id b: id ... on Conversion { status } merchant { ... on Merchant { name } } } }`, { id: conversionId }],
      [merchant, `{ viewer { __typename } }`],
      [merchant, `{ __typename }`],
      [merchant, `query N($id: ID!) { t: __typename checkoutSession(id: $id) { ...CS } }
        fragment CS on CheckoutSession { id merchant { name } paymentIntent { status amount { amount currency } merchant { name } } }`, { id: sessionId }],
      [merchant, `{ a: checkoutSessions(first: 2) { edges { node { m: merchant { n: name } p: paymentIntent { s: status } } } } }`],
      [merchant, `query($first: Int = 2) { checkoutSessions(first: $first) { edges { node { id merchant { name } paymentIntent { status } } } } }`],
      [merchant, `query($first: Int = 2) { checkoutSessions(first: $first) { edges { node { id merchant { name } paymentIntent { status } } } } }`, { first: -1 }],
    ];
    const before = await operationsRun(handoff.gatewayUrl);
    const problems: string[] = [];
    for (const [key, query, variables, operationName] of cases) {
      const diff = await compare(key, query, variables, operationName);
      if (diff) problems.push(diff);
    }
    expect(problems).toEqual([]);
    // Both planners' plans were exercised: `S` needs a condition across subgraphs (@include on
    // paymentIntent), which Handoff's planner leaves to @apollo/gateway; the others it plans.
    const after = await operationsRun(handoff.gatewayUrl);
    expect(after.apollo - before.apollo).toBeGreaterThan(0);
    expect(after.handoff - before.handoff).toBeGreaterThan(after.apollo - before.apollo);
  }, 120_000);
});
