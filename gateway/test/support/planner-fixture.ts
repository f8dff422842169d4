// A small supergraph shaped like Handoff's (four subgraphs under the real names; entities keyed by
// `id`, resolvable in one subgraph and referenced (resolvable: false) elsewhere; a shared value
// type; lists, connections, mutations), plus what the planner specs need around it: @apollo/query-planner over the same
// supergraph, and fake subgraphs that answer any fetch deterministically. An entity's fields are a
// function of its type, id, field and arguments, a value object's of its parent and field, so any
// two plans that fetch the same data get the same answers, whichever fetch asks for what. Fields
// named `secret` throw (errors with paths); nullable fields are null for some objects.
import { composeServices } from '@apollo/composition';
import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { QueryPlanner } from '@apollo/query-planner';
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  GraphQLError,
  execute,
  getNamedType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { FetchNode, QueryPlan, SubgraphResponse } from '../../src/execution/plan.js';

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@inaccessible", "@external", "@requires"])';
const MONEY = 'type Money @shareable { amountMinor: Int! currency: String! }';

export const PLANNER_SUBGRAPHS: Record<string, string> = {
  merchant: `${LINK}
${MONEY}
type Merchant @key(fields: "id") { id: ID! name: String! country: String secret: String offers(first: Int = 2): [Offer!]! agent: Agent }
type Offer @key(fields: "id") { id: ID! name: String! price: Money! merchant: Merchant! }
type Agent @key(fields: "id") { id: ID! name: String! }
type Buyer @key(fields: "id") { id: ID! email: String @shareable }
type Viewer { role: String! merchant: Merchant }
type Query { merchant(id: ID!): Merchant merchants(first: Int = 2): [Merchant!]! viewer: Viewer }
type Mutation { renameMerchant(id: ID!, name: String!): Merchant! }`,
  'checkout-session': `${LINK}
${MONEY}
enum Status { OPEN COMPLETE }
type Totals { subtotal: Money! total: Money! }
type LineItem { name: String! quantity: Int! offer: Offer }
type Merchant @key(fields: "id", resolvable: false) { id: ID! }
type Buyer @key(fields: "id", resolvable: false) { id: ID! }
type Offer @key(fields: "id") { id: ID! name: String! @external discounted: String @requires(fields: "name") }
type CheckoutSession @key(fields: "id") {
  id: ID! status: Status! totals: Totals! merchant: Merchant! buyer: Buyer lineItems: [LineItem!]! note: String secret: String
}
type CheckoutSessionEdge { cursor: String! node: CheckoutSession! }
type CheckoutSessionConnection { edges: [CheckoutSessionEdge!]! totalCount: Int! }
input MoneyInput { amountMinor: Int! currency: String! }
input CreateCheckoutSessionInput { merchantId: ID! amount: MoneyInput! tags: [String!] }
type Query { checkoutSession(id: ID!): CheckoutSession checkoutSessions(first: Int): CheckoutSessionConnection! }
type Mutation {
  createCheckoutSession(input: CreateCheckoutSessionInput!): CheckoutSession!
  completeCheckoutSession(id: ID!): CheckoutSession!
}`,
  'payment-intent': `${LINK}
${MONEY}
type Merchant @key(fields: "id", resolvable: false) { id: ID! }
type Buyer @key(fields: "id") { id: ID! email: String @shareable }
type CheckoutSession @key(fields: "id") { id: ID! paymentIntent: PaymentIntent payments: [PaymentIntent!]! }
type PaymentIntent @key(fields: "id") { id: ID! status: String! amount: Money! merchant: Merchant! checkoutSession: CheckoutSession secret: String buyer: Buyer }
type Query { paymentIntent(id: ID!): PaymentIntent }
type Mutation { capturePaymentIntent(id: ID!): PaymentIntent! }`,
  'conversion-ledger': `${LINK}
${MONEY}
interface Node { id: ID! }
type Merchant @key(fields: "id", resolvable: false) { id: ID! }
type Agent @key(fields: "id", resolvable: false) { id: ID! }
type CheckoutSession @key(fields: "id", resolvable: false) { id: ID! }
type Milestone { name: String! value: Money }
type Conversion implements Node @key(fields: "id") {
  id: ID! status: String! value: Money! merchant: Merchant! agent: Agent session: CheckoutSession milestones: [Milestone!]!
}
type Query { conversion(id: ID!): Conversion conversions(first: Int): [Conversion!]! node(id: ID!): Node }
type Mutation { reportConversion(sessionId: ID!): Conversion! }`,
};

export interface PlannerFixture {
  supergraphSdl: string;
  /** The API schema (graphql-js), as Apollo Server validates against it. */
  schema: GraphQLSchema;
  /** @apollo/query-planner's plan for the same operation. */
  apolloPlan(text: string, operationName?: string): QueryPlan;
  /** A fake subgraph's answer to one fetch (what `runPlan` would get over HTTP). */
  call(fetch: FetchNode, body: string): Promise<SubgraphResponse>;
}

export function plannerFixture(): PlannerFixture {
  const composed = composeServices(
    Object.entries(PLANNER_SUBGRAPHS).map(([name, sdl]) => ({ name, url: `http://${name}.test/graphql`, typeDefs: parse(sdl) })),
  );
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  return fixtureOf(composed.supergraphSdl, PLANNER_SUBGRAPHS);
}

/**
 * The same, over a given supergraph (Handoff's own, gateway/supergraph.graphql): the fake
 * subgraphs are the subgraphs @apollo/federation-internals extracts from it, answering as above.
 */
export function supergraphFixture(supergraphSdl: string): PlannerFixture {
  const subgraphs = Object.fromEntries(Supergraph.build(supergraphSdl).subgraphs().values().map((s) => [s.name, s.toString()]));
  return fixtureOf(supergraphSdl, subgraphs);
}

function fixtureOf(supergraphSdl: string, subgraphSdls: Readonly<Record<string, string>>): PlannerFixture {
  const supergraph = Supergraph.build(supergraphSdl);
  const apiSchema = supergraph.apiSchema();
  const planner = new QueryPlanner(supergraph);
  const subgraphs = new Map(
    Object.entries(subgraphSdls).map(([name, sdl]) => [name, buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers: (sdl.includes('interface Node') ? { Node: { __resolveType: () => 'Conversion' } } : {}) as never }])]),
  );
  return {
    supergraphSdl,
    schema: apiSchema.toGraphQLJSSchema(),
    apolloPlan(text, operationName) {
      const operation = operationFromDocument(apiSchema, parse(text), { operationName });
      return planner.buildQueryPlan(operation) as QueryPlan;
    },
    async call(fetch, body) {
      const { query, variables, operationName } = JSON.parse(body);
      const schema = subgraphs.get(fetch.serviceName);
      if (!schema) throw new Error(`no subgraph ${fetch.serviceName}`);
      const result = await execute({ schema, document: parse(query), variableValues: variables, operationName, fieldResolver: fakeField });
      return JSON.parse(JSON.stringify(result));
    },
  };
}

/** The operation and fragments of a document (what Apollo Server hands the gateway). */
export function operationOf(text: string, operationName?: string) {
  const document = parse(text);
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  const operation = operationName ? operations.find((o) => o.name?.value === operationName)! : operations[0]!;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === 'FragmentDefinition') fragments[d.name.value] = d;
  return { operation, fragments };
}

const fakeField: GraphQLFieldResolver<any, unknown> = (source, args, _context, info) => {
  if (source && Object.hasOwn(source, info.fieldName) && info.fieldName !== '__seed') return source[info.fieldName];
  if (info.fieldName === 'secret') throw new GraphQLError(`secret of ${seedOf(source, info.parentType.name)}`, { extensions: { code: 'FORBIDDEN' } });
  const seed = `${seedOf(source, info.parentType.name)}.${info.fieldName}(${JSON.stringify(args)})`;
  return fake(info.returnType, seed, true);
};

function seedOf(source: any, typeName: string): string {
  if (source && typeof source.id === 'string') return `${typeName}:${source.id}`;
  return source?.__seed ?? typeName;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function fake(type: GraphQLOutputType, seed: string, top: boolean): unknown {
  if (isNonNullType(type)) return fake(type.ofType, seed, false);
  // Some nullable fields are null (not list items: a null item is not worth a special case here).
  if (top && hash(`null ${seed}`) % 4 === 0) return null;
  if (isListType(type)) return [0, 1].map((i) => fake(type.ofType as GraphQLOutputType, `${seed}[${i}]`, false));
  const named = getNamedType(type);
  if (isObjectType(named)) {
    // Entities repeat (three ids per type), so the same entity appears at several places.
    if (named.getFields().id) return { id: `${named.name.toLowerCase()}_${hash(seed) % 3}` };
    return { __seed: seed };
  }
  if (isEnumType(named)) {
    const values = named.getValues();
    return values[hash(seed) % values.length]!.value;
  }
  switch (named.name) {
    case 'Int':
      return hash(seed) % 1000;
    case 'Boolean':
      return hash(seed) % 2 === 0;
    default:
      return `${named.name}<${seed}>`;
  }
}
