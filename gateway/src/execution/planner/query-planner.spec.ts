// Handoff's planner on its own: the fetches it writes (operation text, variables, names,
// representations, Flatten paths) for representative operations over the fixture supergraph, and
// everything it must leave to @apollo/gateway (Unsupported). That its plans answer as Apollo's do
// is apollo-equivalence.spec.ts.
import { describe, expect, it } from 'vitest';
import { operationOf, plannerFixture } from '../../../test/support/planner-fixture.js';
import type { FetchNode, PlanNode } from '../plan.js';
import { Unsupported } from '../selection.js';
import { HandoffQueryPlanner } from './query-planner.js';
import { validGraphQLName } from './plan-nodes.js';

const fixture = plannerFixture();
const planner = new HandoffQueryPlanner(fixture.schema, fixture.supergraphSdl);

function plan(text: string, operationName?: string): PlanNode | undefined {
  const { operation, fragments } = operationOf(text, operationName);
  return planner.plan(operation, fragments).node as PlanNode | undefined;
}

/** The fetches of a plan in order, as `subgraph @path: operation`. */
function fetches(node: PlanNode | undefined, path = ''): string[] {
  if (!node) return [];
  if (node.kind === 'Sequence' || node.kind === 'Parallel') return node.nodes.flatMap((n) => fetches(n, path));
  if (node.kind === 'Flatten') return fetches(node.node, node.path.join('.'));
  if (node.kind === 'Fetch') return [`${node.serviceName} @${path}: ${node.operation}`];
  throw new Error(node.kind);
}

describe("Handoff's query planner", () => {
  it('keeps local fields in the parent fetch and sends the others to the subgraph owning them, with keys', () => {
    const node = plan(`query Q($id: ID!) { checkoutSession(id: $id) { status merchant { name } paymentIntent { status merchant { country } } } }`);
    expect(fetches(node)).toEqual([
      'checkout-session @: query Q__checkout_session__0($id:ID!){checkoutSession(id:$id){status merchant{__typename id}__typename id}}',
      'payment-intent @checkoutSession: query Q__payment_intent__1($representations:[_Any!]!){_entities(representations:$representations){...on CheckoutSession{paymentIntent{status merchant{__typename id}}}}}',
      'merchant @checkoutSession.paymentIntent.merchant: query Q__merchant__2($representations:[_Any!]!){_entities(representations:$representations){...on Merchant{country}}}',
      'merchant @checkoutSession.merchant: query Q__merchant__3($representations:[_Any!]!){_entities(representations:$representations){...on Merchant{name}}}',
    ]);
    // Sequence[root, Parallel[Sequence[payment-intent, its merchant], merchant]]
    expect(node?.kind).toBe('Sequence');
    const [root, parallel] = (node as Extract<PlanNode, { kind: 'Sequence' }>).nodes;
    expect((root as FetchNode).variableUsages).toEqual(['id']);
    expect(parallel!.kind).toBe('Parallel');
    const entityFetch = ((parallel as Extract<PlanNode, { kind: 'Parallel' }>).nodes[1] as Extract<PlanNode, { kind: 'Flatten' }>).node as FetchNode;
    expect(entityFetch.requires).toEqual([
      { kind: 'InlineFragment', typeCondition: 'Merchant', selections: [{ kind: 'Field', name: '__typename' }, { kind: 'Field', name: 'id' }] },
    ]);
    expect(entityFetch.operationKind).toBe('query');
  });

  it('marks lists with @ in Flatten paths and forwards only the variables (with defaults) each fetch uses', () => {
    const node = plan(`query ($first: Int = 2, $n: Int, $unused: String) { checkoutSessions(first: $first) { edges { node { merchant { offers(first: $n) { name } } } } } }`);
    expect(fetches(node)).toEqual([
      'checkout-session @: query($first:Int=2){checkoutSessions(first:$first){edges{node{merchant{__typename id}}}}}',
      'merchant @checkoutSessions.edges.@.node.merchant: query($representations:[_Any!]!$n:Int){_entities(representations:$representations){...on Merchant{offers(first:$n){name}}}}',
    ]);
    const [, flatten] = (node as Extract<PlanNode, { kind: 'Sequence' }>).nodes;
    expect(((flatten as Extract<PlanNode, { kind: 'Flatten' }>).node as FetchNode).variableUsages).toEqual(['n']);
  });

  it('inlines fragments, keeps aliases and directives that stay in one fetch, merges repeated fields', () => {
    const node = plan(`query ($x: Boolean!) { a: checkoutSession(id: "1") { ...S n: note @include(if: $x) ... @skip(if: $x) { status } } a: checkoutSession(id: "1") { id } }
      fragment S on CheckoutSession { boss: merchant { label: name } }`);
    expect(fetches(node)).toEqual([
      'checkout-session @: query($x:Boolean!){a:checkoutSession(id:"1"){boss:merchant{__typename id}n:note@include(if:$x)...@skip(if:$x){status}id}}',
      'merchant @a.boss: query($representations:[_Any!]!){_entities(representations:$representations){...on Merchant{label:name}}}',
    ]);
  });

  it('groups query root fields by subgraph, in parallel; the root __typename needs no fetch', () => {
    const node = plan(`{ __typename merchant(id: "m") { name } checkoutSession(id: "c") { id } merchants { id } }`);
    expect(node?.kind).toBe('Parallel');
    expect(fetches(node)).toEqual(['merchant @: {merchant(id:"m"){name}merchants{id}}', 'checkout-session @: {checkoutSession(id:"c"){id}}']);
    expect(plan(`{ __typename }`)).toBeUndefined();
  });

  it('runs mutation root fields in order: consecutive fields of one subgraph share a fetch, entity fetches follow theirs', () => {
    const node = plan(`mutation M($n: String!) { renameMerchant(id: "1", name: $n) { name } again: renameMerchant(id: "2", name: $n) { id }
      completeCheckoutSession(id: "c") { merchant { name } } capturePaymentIntent(id: "p") { status } }`);
    expect(node?.kind).toBe('Sequence');
    expect(fetches(node)).toEqual([
      'merchant @: mutation M__merchant__0($n:String!){renameMerchant(id:"1" name:$n){name}again:renameMerchant(id:"2" name:$n){id}}',
      'checkout-session @: mutation M__checkout_session__1{completeCheckoutSession(id:"c"){merchant{__typename id}}}',
      'merchant @completeCheckoutSession.merchant: query M__merchant__2($representations:[_Any!]!){_entities(representations:$representations){...on Merchant{name}}}',
      'payment-intent @: mutation M__payment_intent__3{capturePaymentIntent(id:"p"){status}}',
    ]);
  });

  it('names subgraphs as Apollo does in fetch names', () => {
    expect(validGraphQLName('checkout-session')).toBe('checkout_session');
    expect(validGraphQLName('9lives.v2')).toBe('_9livesv2');
  });

  describe('leaves to @apollo/gateway (throws Unsupported)', () => {
    const unsupported: Array<[string, string, RegExp]> = [
      ['introspection', `{ __schema { types { name } } }`, /introspection/],
      ['introspection by name', `{ checkoutSession(id: "1") { id } __type(name: "Merchant") { name } }`, /introspection/],
      ['an abstract type', `{ node(id: "1") { id } }`, /abstract type Node/],
      ['@defer', `{ checkoutSession(id: "1") { id ... @defer { status } } }`, /@defer/],
      ['another directive', `{ checkoutSession(id: "1") { id @deprecated } }`, /@deprecated/],
      ['@include on a field fetched from another subgraph', `query ($x: Boolean!) { checkoutSession(id: "1") { id merchant { name @include(if: $x) country } } }`, /across subgraphs/],
      ['@skip on a field whose selection needs another fetch', `query ($x: Boolean!) { checkoutSession(id: "1") { id merchant @skip(if: $x) { name } } }`, /across subgraphs/],
      ['a literal @skip across subgraphs', `{ checkoutSession(id: "1") { id paymentIntent @skip(if: true) { status } } }`, /across subgraphs/],
      ['a conditional fragment with a jump inside', `query ($x: Boolean!) { checkoutSession(id: "1") { id ... @include(if: $x) { paymentIntent { status } } } }`, /across subgraphs/],
      ['a fetch of conditional selections only (Apollo: Condition node)', `query ($x: Boolean!) { checkoutSession(id: "1") @include(if: $x) { id } }`, /only conditional/],
      ['a conditional fragment at the root', `query ($x: Boolean!) { ... @include(if: $x) { merchant(id: "1") { id } } }`, /conditional fragment at the root/],
      ['an alias colliding with a key field the planner adds', `{ checkoutSession(id: "1") { merchant { id: __typename name } } }`, /response name id/],
      ['an alias colliding with a key field, in the entity fetch', `{ checkoutSession(id: "1") { merchant { name id: country } } }`, /response name id/],
      ['an alias colliding with __typename', `{ checkoutSession(id: "1") { merchant { __typename: id name } } }`, /response name __typename/],
      ['a field two subgraphs could serve (Buyer.email)', `{ checkoutSession(id: "1") { buyer { email } } }`, /Buyer.email in several subgraphs/],
      ['a shared entity field, even where it is local', `{ paymentIntent(id: "1") { buyer { email } } }`, /Buyer.email in several subgraphs/],
      ['a field with @requires', `{ checkoutSession(id: "1") { lineItems { offer { discounted } } } }`, /requires/],
      ['a client variable named like the entity fetch’s own', `query ($representations: Int) { checkoutSession(id: "1") { merchant { offers(first: $representations) { name } } } }`, /representations/],
      ['a subscription', `subscription { merchant(id: "1") { id } }`, /subscription/],
      ['a fragment definition with a directive', `{ merchant(id: "1") { ...F } } fragment F on Merchant @include(if: true) { name }`, /directives on a fragment definition/],
    ];
    for (const [what, text, reason] of unsupported) {
      it(what, () => {
        expect(() => plan(text)).toThrow(Unsupported);
        expect(() => plan(text)).toThrow(reason);
      });
    }

    it('an operation that expands past the selection limit (fragments multiplying)', () => {
      const levels = ['fragment F0 on Merchant { name country }'];
      for (let i = 1; i <= 12; i++) levels.push(`fragment F${i} on Merchant { ...F${i - 1} ...F${i - 1} }`);
      expect(() => plan(`{ merchant(id: "1") { ...F12 } } ${levels.join(' ')}`)).toThrow(Unsupported);
    });

    it('every operation of a supergraph it cannot read (Federation 1, other specs)', () => {
      const other = new HandoffQueryPlanner(fixture.schema, fixture.supergraphSdl.replace(/specs\.apollo\.dev\/join\/v0\.\d/, 'specs.apollo.dev/join/v0.1'));
      expect(other.unsupported).toBeDefined();
      const { operation, fragments } = operationOf(`{ merchant(id: "1") { name } }`);
      expect(() => other.plan(operation, fragments)).toThrow(Unsupported);
    });
  });
});
