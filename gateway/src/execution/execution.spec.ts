// Handoff's executor in isolation: result shaping (selection.ts + shape.ts) and plan execution
// (plan.ts) with scripted subgraph answers. The end-to-end comparison with @apollo/gateway's
// executor is test/e2e/executor-equivalence.e2e.spec.ts.
import { describe, expect, it } from 'vitest';
import { buildSchema, parse, type FragmentDefinitionNode, type GraphQLObjectType, type OperationDefinitionNode } from 'graphql';
import { compileSelections, Unsupported } from './selection.js';
import { shapeResponse } from './shape.js';
import { PreparedOperationCache } from './prepared.js';
import { deepMerge, requestBody, runPlan, type FetchNode, type PlanNode } from './plan.js';

const schema = buildSchema(`
  interface Node { id: ID! }
  type Query { session(id: ID!): Session sessions: [Session!]! node(id: ID!): Node }
  type Session implements Node { id: ID! status: Status! merchant: Merchant! amount: Int note: String tags: [String!] }
  type Merchant implements Node { id: ID! name: String! }
  enum Status { OPEN COMPLETE }
`);
const query = schema.getQueryType() as GraphQLObjectType;

function compile(text: string) {
  const doc = parse(text);
  const operation = doc.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode;
  const fragments = Object.fromEntries(
    doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition').map((f) => [f.name.value, f]),
  );
  return compileSelections(schema, query, operation.selectionSet, fragments);
}

const shape = (text: string, data: unknown, variables: Record<string, unknown> = {}) =>
  shapeResponse({ schema, rootType: query, selections: compile(text), variables, data });

describe('result shaping', () => {
  it('keeps what was asked, in the order asked, with aliases, and drops the plan’s extra fields', () => {
    const out = shape(`{ s: session(id: "1") { status id m: merchant { name } } }`, {
      s: { __typename: 'Session', id: '1', status: 'OPEN', m: { __typename: 'Merchant', id: 'm1', name: 'Smarty' }, extra: 1 },
    });
    expect(out.errors).toEqual([]);
    expect(JSON.stringify(out.data)).toBe('{"s":{"status":"OPEN","id":"1","m":{"name":"Smarty"}}}');
  });

  it('nulls the nearest nullable parent of a null non-null field, with one error at the deepest point', () => {
    const out = shape(`{ session(id: "1") { id merchant { name } } }`, { session: { id: '1', merchant: { id: 'm1', name: null } } });
    expect(out.data).toEqual({ session: null });
    expect(out.errors.map((e) => [e.message, e.path])).toEqual([['Cannot return null for non-nullable field Merchant.name.', ['session', 'merchant', 'name']]]);
  });

  it('a null inside a non-null list nulls the whole non-null chain up to the root', () => {
    const out = shape(`{ sessions { id } }`, { sessions: [{ id: '1' }, null] });
    expect(out.data).toBeNull();
    expect(out.errors[0]!.path).toEqual(['sessions', 1]);
  });

  it('refuses leaf values the API schema does not allow (wrong scalar, unknown enum value)', () => {
    const out = shape(`{ session(id: "1") { amount note status } }`, { session: { amount: 1.5, note: 'ok', status: 'HIDDEN' } });
    expect(out.data).toEqual({ session: null });
    expect(out.errors.map((e) => e.message)).toEqual([
      'Invalid value found for field Session.amount.',
      'Invalid value found for field Session.status.',
    ]);
  });

  it('applies @skip/@include from variables and literals, named and inline fragments by __typename', () => {
    const text = `query($a: Boolean!) { node(id: "1") { __typename ...S ... on Merchant { name } } session(id: "1") { id @skip(if: $a) note @include(if: true) } }
      fragment S on Session { status }`;
    const data = { node: { __typename: 'Session', status: 'OPEN', name: 'x' }, session: { id: '1', note: 'n' } };
    expect(shape(text, data, { a: true }).data).toEqual({ node: { __typename: 'Session', status: 'OPEN' }, session: { note: 'n' } });
    expect(shape(text, data, { a: false }).data).toEqual({ node: { __typename: 'Session', status: 'OPEN' }, session: { id: '1', note: 'n' } });
  });

  it('leaves introspection, other directives and prototype names to @apollo/gateway', () => {
    expect(() => compile(`{ __schema { types { name } } }`)).toThrow(Unsupported);
    expect(() => compile(`{ session(id: "1") { id @deprecated } }`)).toThrow(Unsupported);
    expect(() => compile(`{ constructor: session(id: "1") { id } }`)).toThrow(Unsupported);
  });
});

describe('plan execution', () => {
  const fetchNode = (serviceName: string, operation: string, extra: Partial<FetchNode> = {}): FetchNode =>
    ({ kind: 'Fetch', serviceName, operation, operationKind: 'query', operationName: undefined, variableUsages: [], ...extra }) as FetchNode;

  it('runs a root fetch, then one _entities call for every entity under a list, and merges the answers in order', async () => {
    const plan: PlanNode = {
      kind: 'Sequence',
      nodes: [
        fetchNode('checkout', '{sessions{__typename id merchant{__typename id}}}'),
        {
          kind: 'Flatten',
          path: ['sessions', '@', 'merchant'],
          node: fetchNode('merchant', 'query($representations:[_Any!]!){_entities(representations:$representations){...on Merchant{name}}}', {
            requires: [{ kind: 'InlineFragment', typeCondition: 'Merchant', selections: [{ kind: 'Field', name: '__typename' }, { kind: 'Field', name: 'id' }] }],
          }),
        },
      ],
    } as PlanNode;
    const calls: Array<[string, unknown]> = [];
    const result = await runPlan(plan, {
      schema,
      variables: {},
      coerced: {},
      call: async (fetch, body) => {
        const parsed = JSON.parse(body);
        calls.push([fetch.serviceName, parsed.variables]);
        if (fetch.serviceName === 'checkout') {
          return { data: { sessions: [{ __typename: 'Session', id: '1', merchant: { __typename: 'Merchant', id: 'm1' } }, { __typename: 'Session', id: '2', merchant: { __typename: 'Merchant', id: 'm2' } }] } };
        }
        return {
          data: { _entities: [{ name: 'One' }, null] },
          errors: [{ message: 'Merchant not found.', path: ['_entities', 1, 'name'], extensions: { code: 'MERCHANT_NOT_FOUND' } }],
        };
      },
    });
    expect(calls).toEqual([
      ['checkout', {}],
      ['merchant', { representations: [{ __typename: 'Merchant', id: 'm1' }, { __typename: 'Merchant', id: 'm2' }] }],
    ]);
    expect(result.data.sessions[0].merchant).toEqual({ __typename: 'Merchant', id: 'm1', name: 'One' });
    expect(result.data.sessions[1].merchant).toEqual({ __typename: 'Merchant', id: 'm2' });
    // The subgraph's error path (_entities, 1, name) becomes the client's path.
    expect((result.errors[0] as { path: unknown }).path).toEqual(['sessions', 1, 'merchant', 'name']);
    expect((result.errors[0] as { extensions: { code: string } }).extensions.code).toBe('MERCHANT_NOT_FOUND');
  });

  it('forwards only the variables a fetch uses, follows Condition nodes, and records a thrown call as an error', async () => {
    const plan: PlanNode = {
      kind: 'Parallel',
      nodes: [
        fetchNode('checkout', 'query($id:ID!){session(id:$id){id}}', { variableUsages: ['id'] }),
        { kind: 'Condition', condition: 'withMerchant', ifClause: fetchNode('merchant', '{m}'), elseClause: fetchNode('other', '{o}') },
      ],
    } as PlanNode;
    const seen: string[] = [];
    const result = await runPlan(plan, {
      schema,
      variables: { id: '1', unused: 2 },
      coerced: { id: '1', withMerchant: false },
      call: async (fetch, body) => {
        seen.push(`${fetch.serviceName} ${JSON.stringify(JSON.parse(body).variables)}`);
        if (fetch.serviceName === 'other') throw new Error('socket hang up');
        return { data: { session: { id: '1' } } };
      },
    });
    expect(seen.sort()).toEqual(['checkout {"id":"1"}', 'other {}']);
    expect(result.errors.map((e) => (e as Error).message)).toEqual(['socket hang up']);
    expect(result.data).toEqual({ session: { id: '1' } });
  });

  it('deepMerge merges objects and same-length arrays and never writes __proto__', () => {
    const target = { a: { b: 1 }, list: [{ x: 1 }, { x: 2 }] };
    deepMerge(target, JSON.parse('{"a":{"c":2},"list":[{"y":1},{"y":2}],"__proto__":{"polluted":true}}'));
    expect(target).toEqual({ a: { b: 1, c: 2 }, list: [{ x: 1, y: 1 }, { x: 2, y: 2 }] });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(target)).toBe(Object.prototype);
  });
});

describe('subgraph request body', () => {
  it('is JSON.stringify({ query, variables, operationName? }) byte for byte, for each plan node', () => {
    const named = { kind: 'Fetch', serviceName: 's', operation: 'query Q__s__0($id:ID!){a(id:$id){b "\\u2028" }}', operationName: 'Q__s__0', variableUsages: ['id'] } as unknown as FetchNode;
    const anonymous = { kind: 'Fetch', serviceName: 's', operation: '{a{b}}', variableUsages: [] } as unknown as FetchNode;
    for (const variables of [{}, { id: 'x"\n\u2028é' }, { representations: [{ __typename: 'T', id: '1' }] }]) {
      expect(requestBody(named, variables)).toBe(JSON.stringify({ query: named.operation, variables, operationName: named.operationName }));
      expect(requestBody(anonymous, variables)).toBe(JSON.stringify({ query: anonymous.operation, variables }));
    }
  });
});

describe('prepared operation cache', () => {
  it('is bounded and drops the least recently used first, however often the newest is read', () => {
    const cache = new PreparedOperationCache(2);
    cache.set('a', null);
    cache.set('b', null);
    expect(cache.get('b')).toBeNull();
    expect(cache.get('a')).toBeNull(); // order: b, a
    expect(cache.get('a')).toBeNull();
    cache.set('c', null); // evicts b
    expect([cache.get('b'), cache.get('a'), cache.get('c')]).toEqual([undefined, null, null]);
    expect(cache.size).toBe(2);
  });
});
