// Runs a query plan from @apollo/query-planner: Sequence, Parallel, Flatten, Fetch and Condition
// nodes, with entity fetches (`_entities` with representations built from each fetch's
// `requires`). The semantics are @apollo/gateway's (merge order, which entities are sent, how a
// subgraph error's path maps into the client's response); what differs is the cost: no per-request
// operation rebuild, no tracing objects, one JSON body per call.
import { GraphQLError, isCompositeType, type GraphQLSchema } from 'graphql';
import type { ApolloGateway } from '@apollo/gateway';
import { isSubtype, Unsupported } from './selection.js';

type DidResolveQueryPlan = NonNullable<ConstructorParameters<typeof ApolloGateway>[0]>['experimental_didResolveQueryPlan'];
export type QueryPlan = Parameters<NonNullable<DidResolveQueryPlan>>[0]['queryPlan'];
type AnyNode = NonNullable<QueryPlan['node']>;
export type PlanNode = Exclude<AnyNode, { kind: 'Subscription' }>;
export type FetchNode = Extract<PlanNode, { kind: 'Fetch' }>;
type RequiresSelection = NonNullable<FetchNode['requires']>[number];

type Json = any;
type Path = (string | number)[];

/** A subgraph's answer to one call, or a thrown error (network, timeout, non-2xx). */
export interface SubgraphResponse {
  data?: Json;
  errors?: readonly { message?: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface PlanRun {
  /** The API schema (type conditions in `requires`). */
  schema: GraphQLSchema;
  /** The client's variables as sent (a fetch forwards those it uses, unchanged). */
  variables: Readonly<Record<string, unknown>>;
  /** Coerced variables (defaults applied), for Condition nodes. */
  coerced: Readonly<Record<string, unknown>>;
  call(fetch: FetchNode, body: string): Promise<SubgraphResponse>;
}

/** Checks a plan once, when it is prepared: only nodes and fetches this executor runs. */
export function checkPlan(node: AnyNode | undefined): void {
  if (!node) return;
  switch (node.kind) {
    case 'Sequence':
    case 'Parallel':
      node.nodes.forEach(checkPlan);
      return;
    case 'Flatten':
      if (node.path.some((p) => typeof p !== 'string' || (p !== '@' && p.startsWith('...')))) throw new Unsupported('flatten path');
      checkPlan(node.node);
      return;
    case 'Condition':
      checkPlan(node.ifClause);
      checkPlan(node.elseClause);
      return;
    case 'Fetch':
      if (node.inputRewrites?.length || node.outputRewrites?.length || node.contextRewrites?.length) throw new Unsupported('rewrites');
      if (node.hasDefers) throw new Unsupported('defer');
      node.requires?.forEach(checkRequires);
      return;
    default:
      throw new Unsupported(`plan node ${node.kind}`);
  }
}

function checkRequires(sel: RequiresSelection): void {
  if (sel.kind === 'InlineFragment' && !sel.typeCondition) throw new Unsupported('requires fragment without a type');
  if (sel.kind === 'Field' && (sel.name === '__proto__' || sel.alias === '__proto__')) throw new Unsupported('requires __proto__');
  sel.selections?.forEach(checkRequires);
}

export interface PlanResult {
  data: Json;
  /** Errors of the fetches: GraphQLErrors from subgraphs (with their paths), or what a call threw. */
  errors: unknown[];
}

export async function runPlan(node: PlanNode | undefined, run: PlanRun): Promise<PlanResult> {
  const data: Json = {};
  const errors: unknown[] = [];
  if (node) await execute({ run, errors, fullResult: data }, node, { path: [], data });
  return { data, errors };
}

interface Execution {
  run: PlanRun;
  errors: unknown[];
  fullResult: Json;
}

interface Cursor {
  path: Path;
  data: Json;
}

async function execute(ex: Execution, node: PlanNode, cursor: Cursor): Promise<void> {
  switch (node.kind) {
    case 'Sequence':
      for (const child of node.nodes) await execute(ex, child, cursor);
      return;
    case 'Parallel':
      await Promise.all(node.nodes.map((child) => execute(ex, child, cursor)));
      return;
    case 'Flatten': {
      const data = flattenAt(cursor.data, node.path as string[], 0);
      if (data == null) return;
      await execute(ex, node.node, { path: cursor.path.concat(node.path), data });
      return;
    }
    case 'Condition': {
      const value = ex.run.coerced[node.condition];
      const branch = value === true ? node.ifClause : node.elseClause;
      if (branch) await execute(ex, branch, cursor);
      return;
    }
    case 'Fetch':
      try {
        await fetch(ex, node, cursor);
      } catch (err) {
        ex.errors.push(err);
      }
      return;
    default:
      throw new Error(`unsupported plan node ${(node as { kind: string }).kind}`);
  }
}

async function fetch(ex: Execution, node: FetchNode, cursor: Cursor): Promise<void> {
  const entities: Json[] = Array.isArray(cursor.data) ? cursor.data.filter((e) => e != null) : [cursor.data];
  if (entities.length === 0) return;
  const variables: Record<string, unknown> = {};
  for (const name of node.variableUsages ?? []) {
    const value = Object.hasOwn(ex.run.variables, name) ? ex.run.variables[name] : undefined;
    if (value !== undefined) variables[name] = value;
  }

  if (!node.requires) {
    const received = await send(ex, node, cursor, variables);
    if (received) for (const entity of entities) deepMerge(entity, received);
    return;
  }

  const representations: Json[] = [];
  const targets: Json[] = [];
  for (const entity of entities) {
    const representation = selectRequires(ex.run.schema, entity, node.requires);
    if (representation && representation.__typename) {
      representations.push(representation);
      targets.push(entity);
    }
  }
  if (representations.length === 0) return;
  if ('representations' in variables) throw new Error('Variables cannot contain key "representations"');
  variables.representations = representations;
  const received = await send(ex, node, cursor, variables);
  if (!received) return;
  const list = received._entities;
  if (!Array.isArray(list)) throw new Error('Expected "data._entities" in response to be an array');
  if (list.length !== representations.length) throw new Error(`Expected "data._entities" to contain ${representations.length} elements`);
  for (let i = 0; i < list.length; i++) {
    const entity = list[i];
    if (entity && typeof entity === 'object' && !entity.__typename) entity.__typename = targets[i].__typename;
    deepMerge(targets[i], entity);
  }
}

/** A fetch's request body around its variables: the operation text is escaped once per plan, not per call. */
const bodyParts = new WeakMap<FetchNode, { head: string; tail: string }>();

/** `JSON.stringify({ query, variables, operationName? })`, byte for byte. */
export function requestBody(node: FetchNode, variables: Record<string, unknown>): string {
  let parts = bodyParts.get(node);
  if (!parts) {
    parts = {
      head: `{"query":${JSON.stringify(node.operation)},"variables":`,
      tail: node.operationName ? `,"operationName":${JSON.stringify(node.operationName)}}` : '}',
    };
    bodyParts.set(node, parts);
  }
  return parts.head + JSON.stringify(variables) + parts.tail;
}

async function send(ex: Execution, node: FetchNode, cursor: Cursor, variables: Record<string, unknown>): Promise<Json> {
  const body = requestBody(node, variables);
  const response = await ex.run.call(node, body);
  if (response.errors?.length) {
    let hydrated: Path[] | undefined;
    for (const error of response.errors) {
      let path: Path | undefined;
      const errorPath = error.path;
      if (node.requires && typeof errorPath?.[1] === 'number') {
        if (!hydrated) {
          hydrated = [];
          hydratePaths([], cursor.path, ex.fullResult, hydrated);
        }
        path = [...(hydrated[errorPath[1]] ?? []), ...errorPath.slice(2)];
      } else if (errorPath) {
        path = [...cursor.path, ...errorPath];
      }
      ex.errors.push(downstreamError(error, node.serviceName, path));
    }
  }
  return response.data;
}

/** A subgraph's error as the client's: its path in the client's response, the subgraph named. */
function downstreamError(error: NonNullable<SubgraphResponse['errors']>[number], serviceName: string, path: Path | undefined): GraphQLError {
  const message = error.message || `Error while fetching subquery from service "${serviceName}"`;
  const code = error.extensions?.code ?? 'DOWNSTREAM_SERVICE_ERROR';
  return new GraphQLError(message, { path, extensions: { ...error.extensions, code, serviceName } });
}

/** The paths in the full result of every object a `_entities` call was made for, in order. */
function hydratePaths(parent: Path, path: Path, data: Json, out: Path[], i = 0): void {
  if (data == null) return;
  if (i === path.length) {
    out.push(parent.slice());
    return;
  }
  const head = path[i]!;
  if (head === '@') {
    if (!Array.isArray(data)) return;
    data.forEach((value, index) => {
      parent.push(index);
      hydratePaths(parent, path, value, out, i + 1);
      parent.pop();
    });
  } else if (Array.isArray(data)) {
    data.forEach((value, index) => {
      parent.push(index);
      hydratePaths(parent, path, value, out, i);
      parent.pop();
    });
  } else if (typeof data === 'object' && Object.hasOwn(data, head)) {
    parent.push(head);
    hydratePaths(parent, path, data[head], out, i + 1);
    parent.pop();
  }
}

function flattenAt(value: Json, path: readonly string[], i: number): Json {
  if (i === path.length || value == null) return value;
  const head = path[i]!;
  if (head === '@') {
    if (!Array.isArray(value)) return undefined;
    return value.flatMap((element) => flattenAt(element, path, i + 1));
  }
  if (Array.isArray(value) || typeof value !== 'object') return undefined;
  return flattenAt(Object.hasOwn(value, head) ? value[head] : undefined, path, i + 1);
}

/** The representation of an entity: the fields its `requires` names, or null if one is missing. */
function selectRequires(schema: GraphQLSchema, source: Json, selections: readonly RequiresSelection[]): Json {
  if (source === null) return null;
  const out: Json = {};
  for (const sel of selections) {
    if (sel.kind === 'Field') {
      const name = sel.alias ?? sel.name;
      const value = Object.hasOwn(source, name) ? source[name] : undefined;
      if (value === undefined) return null;
      if (Array.isArray(value)) out[name] = sel.selections ? value.map((v) => selectRequires(schema, v, sel.selections!)) : value;
      else out[name] = sel.selections ? selectRequires(schema, value, sel.selections) : value;
    } else if (isObjectOfType(schema, source, sel.typeCondition!)) {
      deepMerge(out, selectRequires(schema, source, sel.selections));
    }
  }
  return out;
}

/** Whether an entity (by its __typename) is of `condition`, an object type or an abstract one. */
function isObjectOfType(schema: GraphQLSchema, source: Json, condition: string): boolean {
  const typename = source.__typename;
  if (!typename) return false;
  if (typename === condition) return true;
  const type = schema.getType(typename);
  const conditional = schema.getType(condition);
  return !!type && !!conditional && isCompositeType(conditional) && isSubtype(schema, conditional, type);
}

/** Merges `source` into `target`: objects recursively, same-length arrays element by element. */
export function deepMerge(target: Json, source: Json): void {
  if (source == null) return;
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (value === undefined || key === '__proto__') continue;
    const existing = target[key];
    if (existing && isObject(value)) {
      deepMerge(existing, value);
    } else if (Array.isArray(value) && Array.isArray(existing) && value.length === existing.length) {
      for (let i = 0; i < value.length; i++) {
        if (isObject(existing[i]) && isObject(value[i])) deepMerge(existing[i], value[i]);
        else existing[i] = value[i];
      }
    } else {
      target[key] = value;
    }
  }
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
