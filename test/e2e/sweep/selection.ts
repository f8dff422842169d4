// Selections generated from the schema for the tenancy sweep: from a root field, every nested field
// that returns an object (entity, connection, or a value object that can carry an id) to a depth,
// with the leaves an id can hide in: ID and JSON fields, and the strings that embed an owner's id.
// A selection the gateway's query limits refuse is split into smaller ones covering the same paths.
import { getNamedType, isObjectType, isScalarType, type GraphQLField, type GraphQLObjectType } from 'graphql';
import { isConnectionType } from './schema.js';

/** Strings that carry ids: ledger accounts and owners, batch payees, summary keys, the hosted page URL. */
const ID_BEARING_STRINGS = new Set(['account', 'owner', 'payee', 'key', 'url', 'checkoutUrl', 'aapCode']);
/** `first` for nested lists (cost limits multiply by it). */
const NESTED_FIRST = 2;

export interface SelectionTree { leaves: string[]; children: Array<{ head: string; tree: SelectionTree }> }

const isLeaf = (f: GraphQLField<unknown, unknown>) => {
  const t = getNamedType(f.type);
  return isScalarType(t) && (t.name === 'ID' || t.name === 'JSON' || t.name === 'JSONObject' || (t.name === 'String' && ID_BEARING_STRINGS.has(f.name)));
};

const argsOf = (f: GraphQLField<unknown, unknown>): string | undefined => {
  if (f.args.some((a) => a.type.toString().endsWith('!'))) return undefined; // needs input we do not have
  return f.args.some((a) => a.name === 'first') ? `(first: ${NESTED_FIRST})` : '';
};

/** The tree under an object type; `depth` counts object hops still allowed (connections' edges/node are free). */
export function treeOf(type: GraphQLObjectType, depth: number): SelectionTree {
  const tree: SelectionTree = { leaves: ['__typename'], children: [] };
  for (const f of Object.values(type.getFields())) {
    if (isLeaf(f)) {
      tree.leaves.push(f.name);
      continue;
    }
    const t = getNamedType(f.type);
    const args = argsOf(f);
    if (!isObjectType(t) || args === undefined || depth <= 0) continue;
    const sub = isConnectionType(t) ? connectionTree(t, depth - 1) : treeOf(t, depth - 1);
    if (sub.leaves.some((l) => l !== '__typename' && l !== 'totalCount') || sub.children.length) tree.children.push({ head: `${f.name}${args}`, tree: sub });
  }
  return tree;
}

function connectionTree(conn: GraphQLObjectType, depth: number): SelectionTree {
  const node = getNamedType(conn.getFields().edges!.type) as GraphQLObjectType;
  const nodeType = getNamedType(node.getFields().node!.type) as GraphQLObjectType;
  const inner = treeOf(nodeType, depth);
  return { leaves: ['totalCount'], children: [{ head: 'edges', tree: { leaves: ['cursor'], children: [{ head: 'node', tree: inner }] } }] };
}

/** The root field's tree (`depth` counts the root as 1). */
export function rootTree(field: GraphQLField<unknown, unknown>, depth: number): SelectionTree | undefined {
  const t = getNamedType(field.type);
  if (!isObjectType(t)) return undefined;
  return isConnectionType(t) ? connectionTree(t, depth - 1) : treeOf(t, depth - 1);
}

export function printTree(tree: SelectionTree): string {
  const parts = [...tree.leaves, ...tree.children.map((c) => `${c.head} ${printTree(c.tree)}`)];
  return `{ ${parts.length ? parts.join(' ') : '__typename'} }`;
}

/** Smaller trees that together select every path of `tree`: one per child (leaves kept in each). */
export function splitTree(tree: SelectionTree): SelectionTree[] {
  if (tree.children.length > 1) return tree.children.map((c) => ({ leaves: tree.leaves, children: [c] }));
  if (tree.children.length === 1) {
    const only = tree.children[0]!;
    return splitTree(only.tree).map((t) => ({ leaves: tree.leaves, children: [{ head: only.head, tree: t }] }));
  }
  return [];
}
