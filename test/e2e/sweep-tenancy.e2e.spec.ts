// Tenant isolation (issue 7, RELIABILITY.md "Auth and tenancy"), GENERATED from the composed
// schema: two tenants, each a merchant with an offer, checkout sessions, a paid payment intent
// (agent checkout + the test card), a verified and a reported conversion with milestones and a
// settlement batch, and an agent dealing only with it. Then, for each principal of one tenant:
// every by-id root with the other's ids → null or a not-found/forbidden code; every other root
// (and the by-id roots with its own ids), plain and with the other's ids in every id argument or
// filter field, walked to depth 4 → none of the other's ids anywhere in the data; every
// subscription aimed at the other's objects → no events while they change. A new field is swept
// without anyone listing it; a new entity type fails until tenants.ts makes one of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getNamedType } from 'graphql';
import type { RunningHandoff } from '@handoff/launcher';
import type { GqlClient } from '../support/client.js';
import { collect, settle, wsClient, type Collected } from '../support/subscriptions.js';
import { rootFields } from './sweep/schema.js';
import { printTree, rootTree } from './sweep/selection.js';
import {
  byIdRoots, DENIAL_CODES, DEPTH, fetchData, forbiddenIds, ID_ARG_TYPES, leakedIds, principalsOf, rootCalls,
} from './sweep/tenancy.js';
import { waitFor, startTwoTenantWorld, type Tenant, type TwoTenantWorld } from './sweep/tenants.js';

/** What each role's walk must reach of its own tenant's objects. */
const MUST_SEE_OWN: Record<string, string[]> = {
  MERCHANT: ['Merchant', 'Offer', 'CheckoutSession', 'PaymentIntent', 'Conversion', 'SettlementBatch', 'LedgerEntry'],
  AGENT: ['Agent', 'AgentSession', 'Recommendation', 'Conversion', 'SettlementBatch'],
};

/** Every `{ __typename, id }` object in `data`, as id → type. */
function idsIn(data: unknown, out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(data)) data.forEach((d) => idsIn(d, out));
  else if (data && typeof data === 'object') {
    const o = data as Record<string, unknown>;
    if (typeof o.id === 'string' && typeof o.__typename === 'string') out.set(o.id, o.__typename);
    Object.values(o).forEach((v) => idsIn(v, out));
  }
  return out;
}

describe('tenant isolation sweep over the composed schema', () => {
  let world: TwoTenantWorld;
  let handoff: RunningHandoff;
  let admin: GqlClient;
  let A: Tenant;
  let B: Tenant;
  const pairs = () => [[A, B], [B, A]] as const;

  beforeAll(async () => {
    world = await startTwoTenantWorld();
    ({ handoff, admin, A, B } = world);
    for (const t of [A, B]) {
      for (const type of ['SettlementBatch', 'LedgerEntry', 'Conversion', 'PaymentIntent', 'CheckoutSession']) {
        expect(t.ids[type]?.length, `tenant ${t.label} has a ${type}`).toBeGreaterThan(0);
      }
    }
  }, 120_000);

  afterAll(async () => world?.stop());

  it("by id: each by-id root answers the other tenant's objects with null or a not-found/forbidden code", async () => {
    const roots = byIdRoots();
    expect(roots.length).toBeGreaterThan(5);
    const problems: string[] = [];
    let calls = 0;
    for (const [own, other] of pairs()) {
      for (const p of principalsOf(own)) {
        const forbidden = forbiddenIds(p, other);
        for (const field of roots) {
          const type = getNamedType(field.type).name;
          const ids = other.ids[type];
          if (!ids?.length) {
            problems.push(`${field.name}: the sweep has no ${type} of a tenant (make one in sweep/tenants.ts)`);
            continue;
          }
          if (!forbidden.has(ids[0]!)) continue; // public to this role (the agents' catalog)
          for (const id of ids) {
            calls++;
            const r = await p.client.request(`query($id: ID!) { ${field.name}(id: $id) ${printTree(rootTree(field, 1)!)} }`, { id });
            const codes = (r.errors ?? []).map((e) => e.extensions?.code ?? '(none)');
            if (r.status >= 500 || (r.data as Record<string, unknown> | null)?.[field.name] != null || codes.some((c) => !DENIAL_CODES.has(c))) {
              problems.push(`${p.role} ${own.label} → ${field.name}(${type} of ${other.label}): HTTP ${r.status} ${JSON.stringify(r.data)} ${codes.join(',')}`);
            }
          }
        }
      }
    }
    console.log(`tenancy by id: ${roots.map((f) => f.name).join(', ')}: ${calls} calls`);
    expect(problems).toEqual([]);
  });

  it(`lists, filters and nested fields to depth ${DEPTH}: the other tenant's ids appear nowhere in the data`, async () => {
    const problems: string[] = [];
    const summary = new Map<string, { calls: number; queries: number; denied: number }>();
    let skippedRoots: string[] = [];
    for (const [own, other] of pairs()) {
      const { calls, skipped } = rootCalls(own, other);
      skippedRoots = skipped;
      for (const p of principalsOf(own)) {
        const forbidden = forbiddenIds(p, other);
        const seen = new Map<string, string>();
        for (const call of calls) {
          const got = await fetchData(p.client, call);
          for (const [id, type] of idsIn(got.data)) seen.set(id, type);
          const s = summary.get(call.field) ?? { calls: 0, queries: 0, denied: 0 };
          s.calls++;
          s.queries += got.queries;
          if (got.errors.length) s.denied++;
          summary.set(call.field, s);
          const leaked = leakedIds(got.data, forbidden);
          if (leaked.length) problems.push(`${p.role} ${own.label} ${call.field}${call.args} [${call.label}] shows ${other.label}'s ${leaked.join(', ')}`);
          const bad = got.errors.filter((e) => !/^(FORBIDDEN|BAD_USER_INPUT|[A-Z_]*NOT_FOUND):/.test(e));
          if (bad.length) problems.push(`${p.role} ${own.label} ${call.field}${call.args}: ${bad.join(' | ')}`);
        }
        // The walk reaches the caller's own data (else "nothing leaked" would prove nothing).
        for (const type of MUST_SEE_OWN[p.role]!) {
          // At least one: a merchant sees its invoice batch, not its agent's builder payout batch.
          if (!(own.ids[type] ?? []).some((id) => seen.get(id) === type)) problems.push(`${p.role} ${own.label} never saw any of its own ${type}s`);
        }
      }
    }
    // And the detector finds what an admin (who sees both) is shown.
    const adminView = await fetchData(admin, rootCalls(A, B).calls.find((c) => c.field === 'conversions')!);
    expect(leakedIds(adminView.data, forbiddenIds(principalsOf(A)[0]!, B)).length).toBeGreaterThan(0);
    console.log(`tenancy lists/nested (depth ${DEPTH}):\n${[...summary].map(([f, s]) => `  ${f.padEnd(20)} calls=${s.calls} queries=${s.queries} with-errors=${s.denied}`).join('\n')}`
      + `\n  not swept (required non-enum arguments): ${skippedRoots.join(', ') || 'none'}`);
    const readable = rootFields('query').filter((f) => rootTree(f, DEPTH)).length;
    expect(summary.size).toBe(readable - skippedRoots.length);
    expect(problems).toEqual([]);
  });

  it("subscriptions aimed at the other tenant's objects deliver nothing while they change", async () => {
    // A fresh payment intent and checkout session of B's, changed after everyone subscribed.
    const fresh = (await B.merchant.ok(`mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id paymentIntent { id } } }`, {
      input: { lineItems: [{ name: 'Later', unitAmount: { amountMinor: 1500, currency: 'GBP' }, quantity: 1 }] },
    })).createCheckoutSession;
    const targets: Record<string, string> = { PaymentIntent: fresh.paymentIntent.id, CheckoutSession: fresh.id, Merchant: B.merchantId, BillingSubscription: B.ids.BillingSubscription![0]! };
    const clients = [A.merchant.key!, A.agent.key!, B.merchant.key!].map((key) => wsClient(handoff.graphqlUrl, key));
    const subs: Array<{ who: string; what: string; control: boolean; c: Collected }> = [];
    for (const field of rootFields('subscription')) {
      const variants: Array<[string, Record<string, string>]> = [['(all)', {}]];
      for (const a of field.args) {
        const type = a.name === 'id' ? getNamedType(field.type).name : ID_ARG_TYPES[a.name];
        if (type && getNamedType(a.type).name === 'ID') {
          if (!targets[type]) throw new Error(`subscription ${field.name}(${a.name}): no ${type} to aim at (add it to targets)`);
          variants.push([`${a.name}=B`, { [a.name]: targets[type]! }]);
        }
      }
      for (const [label, vars] of variants) {
        const defs = Object.keys(vars).map((k) => `$${k}: ID`).join(', ');
        const query = `subscription${defs ? `(${defs})` : ''} { ${field.name}${defs ? `(${Object.keys(vars).map((k) => `${k}: $${k}`).join(', ')})` : ''} { id } }`;
        ['merchant A', 'agent A', 'merchant B'].forEach((who, i) =>
          subs.push({ who, what: `${field.name}${label}`, control: who === 'merchant B', c: collect(clients[i]!, query, vars) }));
      }
    }
    await settle(800);
    // B's objects change: the payment is confirmed; a new conversion is reported; its subscription is paused.
    await B.merchant.ok(`mutation($id: ID!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: "4242424242424242" }) { status } }`, { id: fresh.paymentIntent.id });
    const session = (await B.agent.ok(`mutation { startAgentSession(input: { query: "later" }) { id } }`)).startAgentSession.id;
    // A merchant reports only on a session that recommended one of its offers.
    await B.agent.ok(`mutation($s: ID!, $o: ID!) { recommend(input: { sessionId: $s, offerId: $o }) { id } }`, { s: session, o: B.ids.Offer![0]! });
    await B.merchant.ok(`mutation($input: ReportConversionInput!) { reportConversion(input: $input) { id } }`, {
      input: { sessionId: session, orderReference: 'ORD-B-LATER', transactionValue: { amountMinor: 900, currency: 'GBP' } },
    });
    // B's billing subscription changes (issue 22): paused.
    await B.merchant.ok(`mutation($id: ID!) { pauseBillingSubscription(id: $id) { status } }`, { id: B.ids.BillingSubscription![0]! });
    // The controls prove the events happened; then the others get a moment to (wrongly) see them.
    for (const s of subs.filter((x) => x.control)) {
      await waitFor(async () => (s.c.results.some((r) => r.data) ? true : undefined), `B's own ${s.what} event`, 15_000);
    }
    await settle(1_000);
    const leaks = subs.filter((s) => !s.control && s.c.results.some((r) => r.data)).map((s) => `${s.who} got ${s.what}: ${JSON.stringify(s.c.results[0])}`);
    console.log(`tenancy subscriptions: ${subs.map((s) => `${s.who} ${s.what}: ${s.c.results.filter((r) => r.data).length} events${s.c.error ? ' (ended with an error)' : ''}`).join('; ')}`);
    subs.forEach((s) => s.c.stop());
    await Promise.all(clients.map((c) => c.dispose()));
    expect(leaks).toEqual([]);
  }, 60_000);
});

