// A fetch group: one future subgraph call of a plan (a root fetch, or an `_entities` fetch merged
// at a path of the response), with the selection it will send. Selections are built level by
// level as the planner walks the client's operation: the client's own field nodes (aliases,
// arguments, directives kept as written), plus the `__typename` and key fields the planner adds
// where a dependent fetch needs a representation. Fields without directives that share a response
// name are merged (the subgraph sees one field, as @apollo/query-planner sends it); a response name
// that would mean two different fields in one subgraph selection (a client alias colliding with a
// field the planner adds) is Unsupported.
import type { DirectiveNode, FieldNode } from 'graphql';
import { Unsupported } from '../selection.js';
import type { EntityKey } from './supergraph-index.js';

export interface OutField {
  kind: 'field';
  /** The client's node (name, alias, arguments, directives); its selection set is not used. */
  node: FieldNode | SyntheticField;
  /** The sub-selection, for a composite field. */
  selections?: SelectionLevel;
}

/** A field the planner adds (`__typename`, a key field): no alias, arguments or directives. */
export interface SyntheticField {
  name: { value: string };
  alias?: undefined;
  arguments?: undefined;
  directives?: undefined;
}

/** An inline fragment kept for its @skip/@include (its type condition is the enclosing type). */
export interface OutFragment {
  kind: 'fragment';
  directives: readonly DirectiveNode[];
  selections: SelectionLevel;
}

export type OutSelection = OutField | OutFragment;

/**
 * The selections of one object in one subgraph call. Response names (`names`: response name →
 * field name) belong to the object in the response, not to one call: a conditional inline
 * fragment's level and the top level of an `_entities` fetch merged at the same path share them
 * with the level they extend, so that a collision between any two of them is seen.
 */
export class SelectionLevel {
  readonly items: OutSelection[] = [];
  private readonly merged = new Map<string, OutField>();

  constructor(readonly names: Map<string, string> = new Map()) {}

  /**
   * Adds a field. Without directives it is merged with an earlier one of the same response name
   * (the returned field is the one to fill); with directives it is kept on its own.
   */
  addField(node: FieldNode | SyntheticField, composite: boolean): OutField {
    const responseName = node.alias?.value ?? node.name.value;
    const known = this.names.get(responseName);
    if (known !== undefined && known !== node.name.value) throw new Unsupported(`response name ${responseName} means two fields`);
    this.names.set(responseName, node.name.value);
    const plain = !node.directives?.length;
    if (plain) {
      const existing = this.merged.get(responseName);
      if (existing) {
        if (composite && !existing.selections) existing.selections = new SelectionLevel();
        return existing;
      }
    }
    const field: OutField = { kind: 'field', node, selections: composite ? new SelectionLevel() : undefined };
    this.items.push(field);
    if (plain) this.merged.set(responseName, field);
    return field;
  }

  /** Adds a conditional inline fragment; its level shares this level's response names. */
  addFragment(directives: readonly DirectiveNode[]): SelectionLevel {
    const level = new SelectionLevel(this.names);
    this.items.push({ kind: 'fragment', directives, selections: level });
    return level;
  }

  /** Adds `__typename` and the key fields, for a representation of this object. */
  addKey(key: EntityKey): void {
    this.addField(TYPENAME, false);
    for (const name of key.fields) this.addField({ name: { value: name } }, false);
  }

  /** Whether at least one item is sent whatever the variables (no @skip/@include on it). */
  hasUnconditional(): boolean {
    return this.items.some((item) => (item.kind === 'field' ? !item.node.directives?.length : false));
  }
}

const TYPENAME: SyntheticField = { name: { value: '__typename' } };

export interface FetchGroup {
  subgraph: string;
  /** Where the fetch's data is merged; empty for a root fetch. Response names, `@` for lists. */
  path: string[];
  /** For an `_entities` fetch: the entity type and the key its representations carry. */
  entity?: { type: string; key: EntityKey };
  selections: SelectionLevel;
  /** Fetches that need this one's data (keys it selects); see `orderChildren`. */
  children: FetchGroup[];
  /** Where the fetch was found: the rank of the object at `path` (depth first), then the jump's rank there. */
  order: [object: number, jump: number];
}

export function rootGroup(subgraph: string): FetchGroup {
  return { subgraph, path: [], selections: new SelectionLevel(), children: [], order: [0, 0] };
}

/**
 * The `_entities` fetch to `subgraph` at `path`, a child of `parent` (made on first use): every
 * field of that subgraph wanted at the same path goes into one fetch, as @apollo/query-planner does.
 */
export function entityGroup(
  parent: FetchGroup,
  subgraph: string,
  path: readonly string[],
  type: string,
  key: EntityKey,
  names: Map<string, string>,
  jump: number,
): FetchGroup {
  const existing = parent.children.find((g) => g.subgraph === subgraph && g.entity?.type === type && samePath(g.path, path));
  if (existing) {
    if (existing.entity!.key !== key) throw new Unsupported('two keys for one entity fetch');
    return existing;
  }
  const group: FetchGroup = { subgraph, path: [...path], entity: { type, key }, selections: new SelectionLevel(names), children: [], order: [0, jump] };
  parent.children.push(group);
  return group;
}

/**
 * Puts every group's children in the order @apollo/query-planner creates them (which decides the
 * order of parallel fetches and so of their errors, and the fetches' numbering): a depth-first
 * walk of the response's objects in selection order, and at each object the jumps it makes in the
 * reverse of the order they first appear there (Apollo walks a path tree with a stack).
 */
export function orderChildren(group: FetchGroup): void {
  group.children.sort((a, b) => a.order[0] - b.order[0] || b.order[1] - a.order[1]);
  group.children.forEach(orderChildren);
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}
