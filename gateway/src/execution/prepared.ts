// A prepared operation: everything about one (query text, operation name) that does not depend on
// the request — its validated operation, query plan and compiled selections — made once when
// Apollo first validates and plans it, and kept in a bounded LRU. Requests for the same text then
// skip parsing, validation, planning and the operation rebuild @apollo/gateway does per request.
import {
  GraphQLError,
  Location,
  Token,
  getVariableValues,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type VariableDefinitionNode,
} from 'graphql';
import { isSingleMutation } from '../subgraph/signed-data-source.js';
import { checkPlan, runPlan, type FetchNode, type PlanNode, type QueryPlan, type SubgraphResponse } from './plan.js';
import { compileSelections, Unsupported, type Selection } from './selection.js';
import { shapeResponse } from './shape.js';
import { compileFastCoercer, type FastCoercer } from './variables.js';

export interface PreparedOperation {
  schema: GraphQLSchema;
  kind: OperationDefinitionNode['operation'];
  /** One mutation field at the root: the only case an Idempotency-Key is forwarded. */
  singleMutation: boolean;
  variableDefinitions: readonly VariableDefinitionNode[];
  /** Coerces plain scalar variables without graphql-js (undefined: graphql-js every time). */
  fastCoercer: FastCoercer | undefined;
  rootType: GraphQLCompositeType;
  selections: Selection[];
  plan: PlanNode | undefined;
}

/** The cache key of a request: its exact query text and operation name. */
export function operationKey(query: string, operationName: string | null | undefined): string {
  return `${operationName ?? ''}\n${query}`;
}

/** Prepares an operation Apollo validated; undefined when this executor leaves it to Apollo. */
export function prepareOperation(input: {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  queryPlan: QueryPlan;
}): PreparedOperation | undefined {
  const { schema, operation, fragments, queryPlan } = input;
  if (operation.operation === 'subscription') return undefined;
  const rootType = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  if (!rootType) return undefined;
  try {
    if (queryPlan.node?.kind === 'Subscription') throw new Unsupported('subscription');
    checkPlan(queryPlan.node);
    const selections = compileSelections(schema, rootType, operation.selectionSet, fragments);
    return {
      schema,
      kind: operation.operation,
      singleMutation: isSingleMutation(operation),
      variableDefinitions: detachLocations(operation.variableDefinitions ?? []),
      fastCoercer: compileFastCoercer(schema, operation.variableDefinitions ?? []),
      rootType,
      selections,
      plan: queryPlan.node as PlanNode | undefined,
    };
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

/**
 * A copy of AST nodes whose locations no longer hold on to the document. A parsed node's `loc`
 * links its first and last token, and through their prev/next links every token of the document:
 * kept in a prepared operation (its variable definitions, for graphql-js's variable errors), that
 * was most of what a cached new document retained (~11 KiB for the bench's Q1; the young
 * generation copies it, then the old space keeps it until the cache drops it). The copy's
 * locations have the same start, end and source, so the errors (message, locations) are the same,
 * with tokens of their own that link to nothing.
 */
export function detachLocations<T>(nodes: readonly T[]): T[] {
  return nodes.map((node) => copyNode(node) as T);
}

function copyNode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyNode);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Location) return detachedLocation(value);
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) copy[key] = copyNode(field);
  return copy;
}

function detachedLocation(loc: Location): Location {
  const token = (t: Token) => new Token(t.kind, t.start, t.end, t.line, t.column, t.value);
  return new Location(token(loc.startToken), token(loc.endToken), loc.source);
}

/** The request's variables, coerced; `errors` as graphql-js reports them (bad or missing values). */
export function coerceVariables(
  prepared: PreparedOperation,
  variables: Readonly<Record<string, unknown>>,
): { coerced: Record<string, unknown>; errors?: undefined } | { coerced?: undefined; errors: readonly GraphQLError[] } {
  if (prepared.variableDefinitions.length === 0) return { coerced: {} };
  const fast = prepared.fastCoercer?.(variables);
  if (fast) return { coerced: fast };
  return getVariableValues(prepared.schema, prepared.variableDefinitions, variables, { maxErrors: 10 });
}

export interface ExecutionResultLike {
  data?: unknown;
  /** Fetch errors (GraphQLErrors with paths, or what a call threw): formatted by the caller. */
  errors?: unknown[];
  extensions?: Record<string, unknown>;
}

/**
 * Runs a prepared operation: the plan, then the shaping. As @apollo/gateway: when a fetch failed
 * its errors are the response's; otherwise null-propagation errors are reported under
 * `extensions.valueCompletion` beside the data.
 */
export async function executePrepared(
  prepared: PreparedOperation,
  variables: Readonly<Record<string, unknown>>,
  coerced: Readonly<Record<string, unknown>>,
  call: (fetch: FetchNode, body: string) => Promise<SubgraphResponse>,
): Promise<ExecutionResultLike> {
  const { data, errors } = await runPlan(prepared.plan, { schema: prepared.schema, variables, coerced, call });
  const shaped = shapeResponse({ schema: prepared.schema, rootType: prepared.rootType, selections: prepared.selections, variables: coerced, data });
  if (errors.length > 0) return { errors, data: shaped.data };
  if (shaped.errors.length > 0) return { extensions: { valueCompletion: shaped.errors }, data: shaped.data };
  return { data: shaped.data };
}

/** A bounded map of prepared operations, least recently used dropped first. `null` = Apollo's. */
export class PreparedOperationCache {
  private readonly map = new Map<string, PreparedOperation | null>();
  /** The most recently used key: reading it again needs no reordering (a Map delete + set). */
  private newest: string | undefined;

  constructor(
    private readonly maxEntries = 1000,
    /** Texts longer than this are not kept (their key alone would weigh). */
    readonly maxQueryLength = 20_000,
  ) {}

  get(key: string): PreparedOperation | null | undefined {
    const hit = this.map.get(key);
    if (hit !== undefined && key !== this.newest) {
      this.map.delete(key);
      this.map.set(key, hit);
      this.newest = key;
    }
    return hit;
  }

  set(key: string, value: PreparedOperation | null): void {
    if (key.length > this.maxQueryLength + 256) return;
    this.map.delete(key);
    this.map.set(key, value);
    this.newest = key;
    if (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value!);
  }

  get size(): number {
    return this.map.size;
  }
}
