// Result shaping: from the merged subgraph data (which holds the plan's extra key and __typename
// fields) to the response the client asked for, in its selection order, with GraphQL's null
// propagation for non-null fields. Same rules as @apollo/gateway's post-processing: a value the
// API schema does not allow (a wrong leaf type, an enum value hidden from the API, an unknown
// __typename) becomes null with an INVALID_GRAPHQL error, and a null in a non-null position
// nulls its parent.
import {
  GraphQLError,
  isCompositeType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isSpecifiedScalarType,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { isSkipped, isSubtype, type Selection } from './selection.js';

type Json = any;
type Path = (string | number)[];

export interface ShapeInput {
  schema: GraphQLSchema;
  rootType: GraphQLCompositeType;
  selections: readonly Selection[];
  /** Coerced variables (defaults applied), for @skip/@include. */
  variables: Readonly<Record<string, unknown>>;
  data: Json;
}

export interface Shaped {
  data: Json;
  errors: GraphQLError[];
}

const INTEGER = /^[+-]?\d+$/;

export function shapeResponse(input: ShapeInput): Shaped {
  const errors: GraphQLError[] = [];
  const state: State = { schema: input.schema, variables: input.variables, errors, bubble: false, flagged: false };
  const data: Json = {};
  const ok = applySelections(state, input.data ?? {}, input.selections, data, [], input.rootType);
  return { data: ok ? data : null, errors };
}

interface State {
  schema: GraphQLSchema;
  variables: Readonly<Record<string, unknown>>;
  errors: GraphQLError[];
  /** Set by `complete`: the value is null where its type forbids it, so the parent must be nulled. */
  bubble: boolean;
  /** Set by `complete`: an error was recorded at or below this value (so none for the same null). */
  flagged: boolean;
}

/** Fills `output` from `source`; false when a non-null violation must null the parent. */
function applySelections(
  state: State,
  source: Json,
  selections: readonly Selection[],
  output: Json,
  path: Path,
  parentType: GraphQLCompositeType,
): boolean {
  for (const sel of selections) {
    if ((sel.skip !== undefined || sel.include !== undefined) && isSkipped(sel, state.variables)) continue;
    if (sel.kind === 'field') {
      // Response names are never Object.prototype's (selection.ts): a plain read is an own read.
      const name = sel.responseName;
      const existing = output[name];
      if (sel.typename) {
        if (existing === undefined) {
          let value = source[name] ?? null;
          if (value === null && name !== '__typename') value = source.__typename ?? null;
          const type = typeof value === 'string' ? (state.schema.getType(value) ?? parentType) : parentType;
          if (!isObjectType(type)) return false;
          output[name] = type.name;
        }
        continue;
      }
      path.push(name);
      output[name] = complete(state, existing, sel.type, source[name] ?? null, sel.selections, path, parentType);
      path.pop();
      if (state.bubble) return false;
    } else {
      if (sel.typeCondition && !typeConditionApplies(state.schema, sel.typeCondition, source.__typename, parentType)) continue;
      if (!applySelections(state, source, sel.selections, output, path, sel.typeCondition ?? parentType)) return false;
    }
  }
  return true;
}

function typeConditionApplies(schema: GraphQLSchema, condition: GraphQLCompositeType, typename: unknown, parentType: GraphQLCompositeType): boolean {
  if (typeof typename === 'string' && typename) {
    const type = schema.getType(typename);
    return !!type && isSubtype(schema, condition, type);
  }
  return isSubtype(schema, condition, parentType);
}

/** The completed value of one field or list item; `state.bubble` / `state.flagged` say how it went. */
function complete(
  state: State,
  existing: Json,
  type: GraphQLOutputType,
  value: Json,
  selections: readonly Selection[] | undefined,
  path: Path,
  parentType: GraphQLCompositeType,
): Json {
  state.bubble = false;
  state.flagged = false;
  if (existing === null || (existing !== undefined && !selections)) return existing;
  if (isNonNullType(type)) {
    const inner = complete(state, existing, type.ofType, value, selections, path, parentType);
    if (inner === null) {
      if (!state.flagged) state.errors.push(invalid(`Cannot return null for non-nullable ${describe(path, type.ofType, parentType)}.`, path));
      state.bubble = true;
      state.flagged = true;
    }
    return inner;
  }
  if (value === null) return null;
  if (isListType(type)) {
    if (!Array.isArray(value) || (existing !== undefined && (!Array.isArray(existing) || existing.length !== value.length))) {
      return fail(state, `Invalid value found for ${describe(path, type, parentType)}.`, path);
    }
    const out: Json[] = new Array(value.length);
    let nullify = false;
    let flagged = false;
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      out[i] = complete(state, existing?.[i], type.ofType, value[i] ?? null, selections, path, parentType);
      path.pop();
      if (state.bubble) nullify = true;
      if (state.flagged) flagged = true;
    }
    state.bubble = false;
    state.flagged = flagged;
    return nullify ? null : out;
  }
  if (selections) {
    if (typeof value !== 'object' || Array.isArray(value) || (existing !== undefined && typeof existing !== 'object')) {
      return fail(state, `Invalid value found for ${describe(path, type, parentType)}.`, path);
    }
    let objectType = type as GraphQLCompositeType;
    const typename = value.__typename;
    if (typename !== undefined) {
      const named = typeof typename === 'string' ? state.schema.getType(typename) : undefined;
      if (!named || !isCompositeType(named)) return fail(state, `Invalid __typename found for object at ${describe(path, type, parentType)}.`, path);
      objectType = named;
    }
    const out = existing ?? {};
    const ok = applySelections(state, value, selections, out, path, objectType);
    state.bubble = false;
    state.flagged = !ok;
    return ok ? out : null;
  }
  if (existing !== undefined) return existing;
  if (validLeaf(value, type as GraphQLNamedType)) return value;
  return fail(state, `Invalid value found for ${describe(path, type, parentType)}.`, path);
}

function fail(state: State, message: string, path: Path): null {
  state.errors.push(invalid(message, path));
  state.bubble = false;
  state.flagged = true;
  return null;
}

/** Whether a leaf type is a custom scalar (the subgraph's to check), remembered per type. */
const customScalars = new WeakMap<GraphQLNamedType, boolean>();

function validLeaf(value: Json, type: GraphQLNamedType): boolean {
  let custom = customScalars.get(type);
  if (custom === undefined) customScalars.set(type, (custom = !isEnumType(type) && !isSpecifiedScalarType(type as never)));
  if (custom) return true;
  const name = type.name;
  if (typeof value === 'boolean') return name === 'Boolean';
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (name === 'Int' || name === 'ID') return INTEGER.test(String(value));
    return name === 'Float';
  }
  if (typeof value === 'string') {
    if (isEnumType(type)) return type.getValue(value) !== undefined;
    return name !== 'Boolean' && name !== 'Int' && name !== 'Float';
  }
  return false;
}

function describe(path: Path, type: GraphQLOutputType, parentType: GraphQLCompositeType): string {
  const last = path[path.length - 1];
  return typeof last === 'string' ? `field ${parentType.name}.${last}` : `array element of type ${String(type)} at index ${last}`;
}

function invalid(message: string, path: Path): GraphQLError {
  return new GraphQLError(message, { path: [...path], extensions: { code: 'INVALID_GRAPHQL' } });
}
