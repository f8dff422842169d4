// Variable coercion for the common case without graphql-js's general machinery: every variable
// a built-in scalar (ID, String, Int, Float, Boolean), nullable or not, with or without a default.
// Compiled once per prepared operation. A value this cannot accept as it is (wrong type, null for
// a non-null variable, a missing required one) is not judged here: the caller then asks
// graphql-js, whose answer — coerced values or its exact errors — is the one given.
import {
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLID,
  GraphQLInt,
  GraphQLString,
  isInputType,
  isNonNullType,
  typeFromAST,
  valueFromAST,
  type GraphQLSchema,
  type VariableDefinitionNode,
} from 'graphql';

type Check = (value: unknown) => { ok: true; value: unknown } | undefined;

const MAX_INT = 2147483647;
const MIN_INT = -2147483648;

const SCALARS = new Map<unknown, Check>([
  [GraphQLString, (v) => (typeof v === 'string' ? { ok: true, value: v } : undefined)],
  [GraphQLID, (v) => (typeof v === 'string' ? { ok: true, value: v } : Number.isInteger(v) ? { ok: true, value: String(v) } : undefined)],
  [GraphQLInt, (v) => (Number.isInteger(v) && (v as number) <= MAX_INT && (v as number) >= MIN_INT ? { ok: true, value: v } : undefined)],
  [GraphQLFloat, (v) => (typeof v === 'number' && Number.isFinite(v) ? { ok: true, value: v } : undefined)],
  [GraphQLBoolean, (v) => (typeof v === 'boolean' ? { ok: true, value: v } : undefined)],
]);

interface CompiledVariable {
  name: string;
  nonNull: boolean;
  hasDefault: boolean;
  defaultValue: unknown;
  check: Check;
}

/** Coerces variables without graphql-js, or returns undefined when graphql-js must decide. */
export type FastCoercer = (inputs: Readonly<Record<string, unknown>>) => Record<string, unknown> | undefined;

/** A coercer for these definitions, or undefined when one of them is not a built-in scalar. */
export function compileFastCoercer(schema: GraphQLSchema, definitions: readonly VariableDefinitionNode[]): FastCoercer | undefined {
  const compiled: CompiledVariable[] = [];
  for (const def of definitions) {
    const type = typeFromAST(schema, def.type);
    if (!type || !isInputType(type)) return undefined;
    const nonNull = isNonNullType(type);
    const check = SCALARS.get(nonNull ? type.ofType : type);
    if (!check) return undefined;
    let defaultValue: unknown;
    if (def.defaultValue) {
      defaultValue = valueFromAST(def.defaultValue, type);
      if (defaultValue === undefined) return undefined;
    }
    compiled.push({ name: def.variable.name.value, nonNull, hasDefault: def.defaultValue !== undefined, defaultValue, check });
  }
  return (inputs) => {
    const out: Record<string, unknown> = {};
    for (const v of compiled) {
      if (!Object.hasOwn(inputs, v.name)) {
        if (v.hasDefault) out[v.name] = v.defaultValue;
        else if (v.nonNull) return undefined;
        continue;
      }
      const value = inputs[v.name];
      if (value === null) {
        if (v.nonNull) return undefined;
        out[v.name] = null;
        continue;
      }
      const checked = v.check(value);
      if (!checked) return undefined;
      out[v.name] = checked.value;
    }
    return out;
  };
}
