// The heart of Handoff's query planner: walks a validated operation against the API schema and
// sorts every field into the fetch that will get it. A field stays in the fetch of its parent
// object when that subgraph resolves it (as @apollo/query-planner does: a local field is always
// the cheapest); otherwise the parent must be an entity, the parent fetch selects its `__typename`
// and key, and the field goes into an `_entities` fetch to the one subgraph that can resolve it,
// merged at the parent's path. Everything outside that subset throws Unsupported: abstract types,
// introspection, directives other than @skip/@include, a @skip/@include whose selection would
// need another fetch (or a fetch whose selections are all conditional, which Apollo turns into a
// Condition node), a field several subgraphs could serve from elsewhere, non-plain keys, aliases
// colliding with fields the planner adds, and operations large enough to meet Apollo's own
// planning limits.
import {
  Kind,
  getNamedType,
  isCompositeType,
  isListType,
  isNonNullType,
  isObjectType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { Unsupported } from '../selection.js';
import { entityGroup, orderChildren, rootGroup, type FetchGroup, type SelectionLevel } from './fetch-group.js';
import type { EntityKey, SupergraphIndex } from './supergraph-index.js';

/**
 * Selections visited (fragments expanded) beyond which the planner leaves an operation to
 * @apollo/gateway, whose planner refuses operations past its own limits (10M recursive
 * selections; 100k estimated non-local selections): far below both, far above real operations.
 */
export const MAX_VISITED_SELECTIONS = 2000;

export interface GroupsInput {
  schema: GraphQLSchema;
  index: SupergraphIndex;
  operation: OperationDefinitionNode;
  fragments: Readonly<Record<string, FragmentDefinitionNode>>;
}

/**
 * The root fetch groups, in plan order: for a query one per subgraph (run in parallel), for a
 * mutation one per run of consecutive root fields of the same subgraph (run in order).
 */
export function buildGroups(input: GroupsInput): FetchGroup[] {
  const walker = new Walker(input);
  return walker.root();
}

class Walker {
  private visited = 0;
  private readonly roots: FetchGroup[] = [];
  /** Root response name → the group that got it (a repeated root field merges into it). */
  private readonly rootFields = new Map<string, FetchGroup>();
  /** The response's objects (by path), as a tree in first-appearance order: Apollo's fetch order. */
  private readonly objects = new Map<string, ResponseObject>();
  private readonly rootObject: ResponseObject = { children: [], jumps: 0, index: 0 };
  /** Every entity fetch, with the object it was found at. */
  private readonly found: Array<{ group: FetchGroup; at: ResponseObject }> = [];

  constructor(private readonly input: GroupsInput) {}

  root(): FetchGroup[] {
    const { schema, operation } = this.input;
    if (operation.operation === 'subscription') throw new Unsupported('subscription');
    if (operation.directives?.length) throw new Unsupported('directives on the operation');
    const rootType = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
    if (!rootType) throw new Unsupported('no root type');
    this.rootSelections(rootType, operation.selectionSet, 0);
    numberObjects(this.rootObject, 0);
    for (const { group, at } of this.found) group.order[0] = at.index;
    for (const group of this.roots) {
      checkSendable(group);
      orderChildren(group);
    }
    return this.roots;
  }

  private rootSelections(rootType: GraphQLObjectType, selectionSet: SelectionSetNode, depth: number): void {
    if (depth > 64) throw new Unsupported('selection set too deep');
    for (const node of selectionSet.selections) {
      this.count();
      if (node.kind !== Kind.FIELD) {
        // A fragment at the root: its fields may belong to several subgraphs. Without
        // directives it is transparent; with them, Apollo splits it into Condition nodes.
        if (node.directives?.length) throw new Unsupported('conditional fragment at the root');
        this.rootSelections(rootType, this.fragmentSelections(rootType, node), depth + 1);
        continue;
      }
      checkDirectives(node);
      const name = node.name.value;
      // The root's __typename is answered by the result shaping, not by a subgraph.
      if (name === '__typename') continue;
      if (name.startsWith('__')) throw new Unsupported('introspection');
      const definition = rootType.getFields()[name];
      if (!definition) throw new Unsupported(`unknown field ${rootType.name}.${name}`);
      const graphs = this.graphsOf(rootType.name, name);
      if (graphs.length !== 1) throw new Unsupported(`root field ${name} in ${graphs.length} subgraphs`);
      const group = this.rootGroupFor(graphs[0]!, node);
      this.field(group, group.selections, node, definition.type, [], this.rootObject, !!node.directives?.length);
    }
  }

  /** The group a root field goes to: queries share one per subgraph; mutations keep field order. */
  private rootGroupFor(subgraph: string, node: FieldNode): FetchGroup {
    const responseName = node.alias?.value ?? node.name.value;
    const earlier = node.directives?.length ? undefined : this.rootFields.get(responseName);
    if (earlier) return earlier;
    let group: FetchGroup | undefined;
    if (this.input.operation.operation === 'mutation') {
      const last = this.roots[this.roots.length - 1];
      group = last?.subgraph === subgraph ? last : undefined;
    } else {
      group = this.roots.find((g) => g.subgraph === subgraph);
    }
    if (!group) {
      group = rootGroup(subgraph);
      this.roots.push(group);
    }
    if (!node.directives?.length) this.rootFields.set(responseName, group);
    return group;
  }

  /** Adds one field to `level` (in `group`, for the object at `path`) and plans its sub-selection. */
  private field(
    group: FetchGroup,
    level: SelectionLevel,
    node: FieldNode,
    type: GraphQLOutputType,
    path: string[],
    parent: ResponseObject,
    conditional: boolean,
  ): void {
    const named = getNamedType(type);
    const composite = isCompositeType(named);
    if (composite && !isObjectType(named)) throw new Unsupported(`abstract type ${named.name}`);
    if (isRootType(this.input.schema, named)) throw new Unsupported('a root type below the root');
    if (composite !== !!node.selectionSet) throw new Unsupported('selection set does not match the type');
    const out = level.addField(node, composite);
    if (!isObjectType(named)) return;
    const responseName = node.alias?.value ?? node.name.value;
    const childPath = [...path, responseName, ...listMarks(type)];
    const key = childPath.join('.');
    let object = this.objects.get(key);
    if (!object) {
      object = { children: [], jumps: 0, index: 0 };
      this.objects.set(key, object);
      parent.children.push(object);
    }
    this.selections(group, out.selections!, named, node.selectionSet!, childPath, object, conditional, 0);
  }

  /** Plans an object's selections in `group` (which fetched the object), at `path`. */
  private selections(
    group: FetchGroup,
    level: SelectionLevel,
    type: GraphQLObjectType,
    selectionSet: SelectionSetNode,
    path: string[],
    object: ResponseObject,
    conditional: boolean,
    depth: number,
  ): void {
    if (depth > 64) throw new Unsupported('selection set too deep');
    for (const node of selectionSet.selections) {
      this.count();
      checkDirectives(node);
      const hasDirectives = !!node.directives?.length;
      if (node.kind !== Kind.FIELD) {
        const inner = this.fragmentSelections(type, node);
        if (hasDirectives) this.selections(group, level.addFragment(node.directives!), type, inner, path, object, true, depth + 1);
        else this.selections(group, level, type, inner, path, object, conditional, depth + 1);
        continue;
      }
      const name = node.name.value;
      if (name === '__typename') {
        level.addField(node, false);
        continue;
      }
      if (name.startsWith('__')) throw new Unsupported('introspection');
      const definition = type.getFields()[name];
      if (!definition) throw new Unsupported(`unknown field ${type.name}.${name}`);
      const graphs = this.graphsOf(type.name, name);
      // An entity's field that several subgraphs resolve (other than its keys, which are taken
      // where the entity is): Apollo weighs fetching it, or its parent, from one or the other.
      if (graphs.length > 1 && this.isEntity(type) && !this.isKeyField(type, name)) throw new Unsupported(`${type.name}.${name} in several subgraphs`);
      if (graphs.includes(group.subgraph)) {
        this.field(group, level, node, definition.type, path, object, conditional || hasDirectives);
        continue;
      }
      // Another subgraph's field: an entity fetch, which a condition would have to guard.
      if (conditional || hasDirectives) throw new Unsupported('@skip/@include across subgraphs');
      const { subgraph, key } = this.jump(group.subgraph, type, graphs);
      level.addKey(key);
      const target = entityGroup(group, subgraph, path, type.name, key, level.names, object.jumps);
      if (target.order[1] === object.jumps) {
        object.jumps++;
        this.found.push({ group: target, at: object });
      }
      this.field(target, target.selections, node, definition.type, path, object, false);
    }
  }

  /** Where a field of an entity goes when its parent's subgraph cannot resolve it. */
  private jump(from: string, type: GraphQLObjectType, graphs: readonly string[]): { subgraph: string; key: EntityKey } {
    const info = this.input.index.types.get(type.name)!;
    const targets = graphs.filter((g) => info.keys.get(g)?.some((k) => k?.resolvable));
    if (targets.length !== 1) throw new Unsupported(`${type.name}: ${targets.length} subgraphs to fetch from`);
    const subgraph = targets[0]!;
    const keys = info.keys.get(subgraph)!;
    if (keys.length !== 1 || !keys[0]) throw new Unsupported(`${type.name}: not one plain key in ${subgraph}`);
    const key = keys[0];
    // The representation is read from the parent fetch: every key field must be a leaf there.
    for (const field of key.fields) {
      const definition = type.getFields()[field];
      if (!definition || isCompositeType(getNamedType(definition.type))) throw new Unsupported(`${type.name}: key field ${field}`);
      if (!this.graphsOf(type.name, field).includes(from)) throw new Unsupported(`${type.name}: key field ${field} not in ${from}`);
    }
    return { subgraph, key };
  }

  /** Whether some subgraph can fetch `type` by a key (so a planner could jump to it). */
  private isEntity(type: GraphQLObjectType): boolean {
    for (const keys of this.input.index.types.get(type.name)!.keys.values()) if (keys.some((k) => k?.resolvable)) return true;
    return false;
  }

  /** Whether `field` is part of one of `type`'s plain keys (in any subgraph). */
  private isKeyField(type: GraphQLObjectType, field: string): boolean {
    for (const keys of this.input.index.types.get(type.name)!.keys.values()) if (keys.some((k) => k?.fields.includes(field))) return true;
    return false;
  }

  /** The subgraphs that resolve `type.field`; Unsupported for anything the index flags. */
  private graphsOf(type: string, field: string): readonly string[] {
    const typeInfo = this.input.index.types.get(type);
    if (!typeInfo) throw new Unsupported(`type ${type} not in the supergraph`);
    if (typeInfo.unsupported) throw new Unsupported(`${type}: ${typeInfo.unsupported}`);
    const info = typeInfo.fields.get(field);
    if (!info) throw new Unsupported(`field ${type}.${field} not in the supergraph`);
    if (info.unsupported) throw new Unsupported(`${type}.${field}: ${info.unsupported}`);
    return info.graphs;
  }

  /** The selections of an inline fragment or a spread on `type` (its own type: no abstract types here). */
  private fragmentSelections(type: GraphQLObjectType, node: Exclude<SelectionSetNode['selections'][number], FieldNode>): SelectionSetNode {
    if (node.kind === Kind.INLINE_FRAGMENT) {
      if (node.typeCondition && node.typeCondition.name.value !== type.name) throw new Unsupported('type condition of another type');
      return node.selectionSet;
    }
    const fragment = Object.hasOwn(this.input.fragments, node.name.value) ? this.input.fragments[node.name.value] : undefined;
    if (!fragment) throw new Unsupported(`unknown fragment ${node.name.value}`);
    if (fragment.directives?.length) throw new Unsupported('directives on a fragment definition');
    if (fragment.typeCondition.name.value !== type.name) throw new Unsupported('type condition of another type');
    return fragment.selectionSet;
  }

  private count(): void {
    if (++this.visited > MAX_VISITED_SELECTIONS) throw new Unsupported('operation too large');
  }
}

/** Only @skip/@include, each with a literal or a variable (what the result shaping evaluates). */
function checkDirectives(node: SelectionSetNode['selections'][number]): void {
  for (const directive of node.directives ?? []) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') throw new Unsupported(`directive @${name}`);
    const arg = directive.arguments?.find((a) => a.name.value === 'if')?.value;
    if (arg?.kind !== Kind.BOOLEAN && arg?.kind !== Kind.VARIABLE) throw new Unsupported(`@${name} without a literal or variable`);
  }
}

/** A fetch whose every selection is conditional is one Apollo guards with a Condition node. */
function checkSendable(group: FetchGroup): void {
  if (!group.selections.hasUnconditional()) throw new Unsupported('a fetch with only conditional selections');
  group.children.forEach(checkSendable);
}

/** An object of the response (all list elements at one path are one). */
interface ResponseObject {
  /** Objects below it, in the order their fields first appear. */
  children: ResponseObject[];
  /** Entity fetches found at this object so far. */
  jumps: number;
  /** Its rank in a depth-first walk of the tree (set once the walk is done). */
  index: number;
}

/** Numbers the objects depth-first, children in first-appearance order; returns the next number. */
function numberObjects(object: ResponseObject, next: number): number {
  object.index = next++;
  for (const child of object.children) next = numberObjects(child, next);
  return next;
}

function isRootType(schema: GraphQLSchema, type: unknown): boolean {
  return type === schema.getQueryType() || type === schema.getMutationType() || type === schema.getSubscriptionType();
}

/** `@` once per list level of a field's type (the path through list elements). */
function listMarks(type: GraphQLOutputType): string[] {
  const marks: string[] = [];
  let t: GraphQLOutputType = type;
  for (;;) {
    if (isNonNullType(t)) t = t.ofType;
    else if (isListType(t)) {
      marks.push('@');
      t = t.ofType as GraphQLOutputType;
    } else return marks;
  }
}
