// Fetch groups → the plan-node tree @apollo/query-planner produces and plan.ts runs. A group runs
// after the group whose data holds its representations; siblings run in parallel:
// Sequence[Fetch, Parallel[children…]] (a lone child inline), the shape Apollo's
// FetchDependencyGraph.process gives a tree. Root groups of a query run in parallel, those of a
// mutation in order. Fetches are named as Apollo names them, `<Op>__<subgraph>__<n>` with n in
// the order the groups are processed, or not at all for an anonymous operation.
import type { OperationTypeNode, VariableDefinitionNode } from 'graphql';
import type { FetchNode, PlanNode } from '../plan.js';
import type { FetchGroup } from './fetch-group.js';
import { printFetch } from './print-operation.js';

export interface NodesInput {
  roots: readonly FetchGroup[];
  kind: OperationTypeNode;
  operationName: string | undefined;
  variableDefinitions: readonly VariableDefinitionNode[];
}

export function planNodes(input: NodesInput): PlanNode | undefined {
  let counter = 0;
  const fetchOf = (group: FetchGroup): FetchNode => {
    const name = input.operationName ? `${input.operationName}__${validGraphQLName(group.subgraph)}__${counter++}` : undefined;
    const printed = printFetch(group, input.kind, name, input.variableDefinitions);
    const fetch = {
      kind: 'Fetch',
      serviceName: group.subgraph,
      variableUsages: printed.variableUsages,
      operation: printed.operation,
      operationKind: group.entity ? 'query' : input.kind,
      operationName: name,
    } as FetchNode;
    if (group.entity) {
      const { type, key } = group.entity;
      fetch.requires = [
        {
          kind: 'InlineFragment',
          typeCondition: type,
          selections: [{ kind: 'Field', name: '__typename' }, ...key.fields.map((name) => ({ kind: 'Field' as const, name }))],
        },
      ];
    }
    return fetch;
  };
  // Pre-order, as Apollo numbers its fetches: a group, then its children's subtrees in order.
  const nodeOf = (group: FetchGroup): PlanNode => {
    const fetch = fetchOf(group);
    const self: PlanNode = group.entity ? { kind: 'Flatten', path: group.path, node: fetch } : fetch;
    if (group.children.length === 0) return self;
    const children = group.children.map(nodeOf);
    return wrap('Sequence', [self, wrap('Parallel', children)]);
  };
  const roots = input.roots.map(nodeOf);
  if (roots.length === 0) return undefined;
  return wrap(input.kind === 'mutation' ? 'Sequence' : 'Parallel', roots);
}

/** One node as itself; several in a Sequence/Parallel, nested nodes of the same kind inlined. */
function wrap(kind: 'Sequence' | 'Parallel', nodes: PlanNode[]): PlanNode {
  if (nodes.length === 1) return nodes[0]!;
  return { kind, nodes: nodes.flatMap((n) => (n.kind === kind ? n.nodes : [n])) } as PlanNode;
}

/** Apollo's `toValidGraphQLName`: `-` → `_`, other non-name characters dropped, no leading digit. */
export function validGraphQLName(subgraph: string): string {
  const sanitized = subgraph.replace(/-/g, '_').replace(/[^_0-9A-Za-z]/g, '');
  return /^[0-9]/.test(sanitized) ? `_${sanitized}` : sanitized;
}
