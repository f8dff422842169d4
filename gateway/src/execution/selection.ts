// An operation's selection set, compiled once against the API schema: fragments inlined, each
// field's definition looked up, @skip/@include reduced to a literal or a variable name. The result
// shaper (shape.ts) walks this on every request instead of the document.
import {
  Kind,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  type DirectiveNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

/** A condition of @skip(if:) or @include(if:): a literal, or the name of a Boolean variable. */
export type Flag = boolean | { variable: string };

export interface FieldSelection {
  kind: 'field';
  responseName: string;
  /** `__typename`: answered from the object's type, not read from the subgraph. */
  typename: boolean;
  /** The field's type in the API schema (unused for `__typename`). */
  type: GraphQLOutputType;
  selections?: Selection[];
  skip?: Flag;
  include?: Flag;
}

export interface FragmentSelection {
  kind: 'fragment';
  typeCondition?: GraphQLCompositeType;
  selections: Selection[];
  skip?: Flag;
  include?: Flag;
}

export type Selection = FieldSelection | FragmentSelection;

/** Why an operation is left to @apollo/gateway's own executor. */
export class Unsupported extends Error {}

/**
 * Compiles a selection set. Throws Unsupported for what this executor leaves to Apollo:
 * introspection (`__schema`, `__type`), directives other than @skip/@include, and response
 * names that would clash with an object's prototype.
 */
export function compileSelections(
  schema: GraphQLSchema,
  parentType: GraphQLCompositeType,
  selectionSet: SelectionSetNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  depth = 0,
): Selection[] {
  if (depth > 64) throw new Unsupported('selection set too deep');
  const out: Selection[] = [];
  for (const node of selectionSet.selections) {
    const { skip, include } = flagsOf(node.directives);
    if (node.kind === Kind.FIELD) {
      const name = node.name.value;
      const responseName = node.alias?.value ?? name;
      if (responseName in Object.prototype || responseName === '__proto__') throw new Unsupported(`response name ${responseName}`);
      if (name === '__typename') {
        out.push({ kind: 'field', responseName, typename: true, type: parentType as GraphQLOutputType, skip, include });
        continue;
      }
      if (name.startsWith('__')) throw new Unsupported('introspection');
      if (!isObjectType(parentType) && !isInterfaceType(parentType)) throw new Unsupported(`field ${name} on a union`);
      const definition = parentType.getFields()[name];
      if (!definition) throw new Unsupported(`unknown field ${parentType.name}.${name}`);
      const named = namedTypeOf(definition.type);
      const selections = node.selectionSet
        ? compileSelections(schema, asComposite(named), node.selectionSet, fragments, depth + 1)
        : undefined;
      out.push({ kind: 'field', responseName, typename: false, type: definition.type, selections, skip, include });
    } else if (node.kind === Kind.INLINE_FRAGMENT) {
      const typeCondition = node.typeCondition ? asComposite(schema.getType(node.typeCondition.name.value)) : undefined;
      out.push({
        kind: 'fragment',
        typeCondition,
        selections: compileSelections(schema, typeCondition ?? parentType, node.selectionSet, fragments, depth + 1),
        skip,
        include,
      });
    } else {
      const fragment = fragments[node.name.value];
      if (!fragment) throw new Unsupported(`unknown fragment ${node.name.value}`);
      if (fragment.directives?.length) throw new Unsupported('directives on a fragment definition');
      const typeCondition = asComposite(schema.getType(fragment.typeCondition.name.value));
      out.push({
        kind: 'fragment',
        typeCondition,
        selections: compileSelections(schema, typeCondition, fragment.selectionSet, fragments, depth + 1),
        skip,
        include,
      });
    }
  }
  return out;
}

function flagsOf(directives: readonly DirectiveNode[] | undefined): { skip?: Flag; include?: Flag } {
  const flags: { skip?: Flag; include?: Flag } = {};
  for (const directive of directives ?? []) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') throw new Unsupported(`directive @${name}`);
    const arg = directive.arguments?.find((a) => a.name.value === 'if')?.value;
    let flag: Flag;
    if (arg?.kind === Kind.BOOLEAN) flag = arg.value;
    else if (arg?.kind === Kind.VARIABLE) flag = { variable: arg.name.value };
    else throw new Unsupported(`@${name} without a literal or variable`);
    flags[name] = flag;
  }
  return flags;
}

function namedTypeOf(type: GraphQLOutputType): GraphQLNamedType {
  let t: GraphQLOutputType = type;
  while ('ofType' in t) t = t.ofType as GraphQLOutputType;
  return t;
}

function asComposite(type: GraphQLNamedType | undefined | null): GraphQLCompositeType {
  if (!type || !isCompositeType(type)) throw new Unsupported(`not a composite type: ${type?.name}`);
  return type;
}

/** `@skip`/`@include` evaluated with the request's coerced variables. */
export function isSkipped(sel: Selection, variables: Readonly<Record<string, unknown>>): boolean {
  if (sel.skip !== undefined && flagValue(sel.skip, variables)) return true;
  if (sel.include !== undefined && !flagValue(sel.include, variables)) return true;
  return false;
}

function flagValue(flag: Flag, variables: Readonly<Record<string, unknown>>): boolean {
  return typeof flag === 'boolean' ? flag : variables[flag.variable] === true;
}

/** Whether `maybeSub` is `type` or one of its possible/implementing types. */
export function isSubtype(schema: GraphQLSchema, type: GraphQLCompositeType, maybeSub: GraphQLNamedType): boolean {
  if (type === maybeSub) return true;
  return isAbstractType(type) && (isObjectType(maybeSub) || isInterfaceType(maybeSub)) && schema.isSubType(type, maybeSub);
}
