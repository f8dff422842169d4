// The composed public API schema (gateway/api-schema.graphql), loaded for the generated sweeps,
// and small helpers to walk it: so a field added to the schema is swept without anyone listing it.
import { readFileSync } from 'node:fs';
import {
  buildSchema, getNamedType, getNullableType, isEnumType, isInputObjectType, isListType, isNonNullType, isObjectType,
  isScalarType, type GraphQLArgument, type GraphQLField, type GraphQLInputType, type GraphQLNamedType, type GraphQLObjectType,
  type GraphQLOutputType, type GraphQLSchema,
} from 'graphql';

export const apiSchema: GraphQLSchema = buildSchema(
  readFileSync(new URL('../../../gateway/api-schema.graphql', import.meta.url), 'utf8'),
);

export type RootKind = 'query' | 'mutation' | 'subscription';

export function rootFields(kind: RootKind): Array<GraphQLField<unknown, unknown>> {
  const root = kind === 'query' ? apiSchema.getQueryType() : kind === 'mutation' ? apiSchema.getMutationType() : apiSchema.getSubscriptionType();
  return root ? Object.values(root.getFields()) : [];
}

/** `{ __typename id }` or nothing: the smallest selection that still resolves the returned object. */
export function minimalSelection(type: GraphQLOutputType): string {
  const named = getNamedType(type);
  if (!isObjectType(named)) return '';
  return named.getFields().id ? '{ __typename id }' : '{ __typename }';
}

/** The variable definitions and arguments of a call passing every argument as a variable `$<name>`. */
export function variableCall(field: GraphQLField<unknown, unknown>): { defs: string; args: string } {
  if (!field.args.length) return { defs: '', args: '' };
  return {
    defs: `(${field.args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ')})`,
    args: `(${field.args.map((a) => `${a.name}: $${a.name}`).join(', ')})`,
  };
}

export function operationFor(kind: RootKind, field: GraphQLField<unknown, unknown>): string {
  const { defs, args } = variableCall(field);
  return `${kind} Sweep${defs} { ${field.name}${args} ${minimalSelection(field.type)} }`;
}

export const isConnectionType = (t: GraphQLNamedType): t is GraphQLObjectType =>
  isObjectType(t) && t.name.endsWith('Connection') && !!t.getFields().edges;

export const requiredArgs = (field: GraphQLField<unknown, unknown>): GraphQLArgument[] => field.args.filter((a) => isNonNullType(a.type));

export { getNamedType, getNullableType, isEnumType, isInputObjectType, isListType, isNonNullType, isObjectType, isScalarType };
export type { GraphQLArgument, GraphQLField, GraphQLInputType, GraphQLNamedType, GraphQLObjectType };
