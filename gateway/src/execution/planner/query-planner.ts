// Handoff's query planner: plans the queries and mutations of the subset of Federation 2 that
// Handoff's supergraph uses (object types, entities with plain keys, fields owned by one subgraph
// or shared value types) into the plan shape @apollo/query-planner produces, in a fraction of its
// time. A plan-cache miss used to pay several milliseconds for Apollo's planning (and its
// executor's first run); HandoffExecutor now asks this planner first and falls back to
// @apollo/gateway when it throws Unsupported. Built once per supergraph and API schema.
import type { FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import type { QueryPlan } from '../plan.js';
import { Unsupported } from '../selection.js';
import { buildGroups } from './build-groups.js';
import { planNodes } from './plan-nodes.js';
import { SupergraphIndex } from './supergraph-index.js';

export class HandoffQueryPlanner {
  private readonly index: SupergraphIndex;

  constructor(
    /** The API schema operations are validated against (Apollo Server's). */
    readonly schema: GraphQLSchema,
    supergraphSdl: string,
  ) {
    this.index = new SupergraphIndex(supergraphSdl);
  }

  /** Why this supergraph is left to @apollo/gateway entirely, if it is. */
  get unsupported(): string | undefined {
    return this.index.unsupported;
  }

  /** The plan of a validated operation; throws Unsupported for what @apollo/gateway must plan. */
  plan(operation: OperationDefinitionNode, fragments: Readonly<Record<string, FragmentDefinitionNode>>): QueryPlan {
    if (this.index.unsupported) throw new Unsupported(this.index.unsupported);
    const roots = buildGroups({ schema: this.schema, index: this.index, operation, fragments });
    const node = planNodes({
      roots,
      kind: operation.operation,
      operationName: operation.name?.value,
      variableDefinitions: operation.variableDefinitions ?? [],
    });
    return { kind: 'QueryPlan', node };
  }
}
