// Turns a subscription document into the query that resolves each of its events through the
// gateway's own planning: `subscription S($v: T) { updated: paymentIntentUpdated(id: $v) { <sel> } }`
// becomes `query S($v: T, $handoffSubjectId: ID!) { updated: paymentIntent(id: $handoffSubjectId) { <sel> } }`
// (variables the new operation no longer uses are dropped, fragments it needs are kept). The
// text is the same for every event of a subscription, so Apollo's plan cache serves it.
import {
  GraphQLError,
  Kind,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { ErrorCode } from '@handoff/shared/errors/codes';

export const SUBJECT_VARIABLE = 'handoffSubjectId';

/** The subscription fields the gateway serves, and the query field each event is resolved with. */
export const SUBSCRIPTION_FIELDS = {
  paymentIntentUpdated: 'paymentIntent',
  conversionUpdated: 'conversion',
  billingSubscriptionUpdated: 'billingSubscription',
} as const;
export type SubscriptionFieldName = keyof typeof SUBSCRIPTION_FIELDS;

export interface SubscriptionPlan {
  field: SubscriptionFieldName;
  /** The root field's alias or name: where the payload sits in `data`. */
  responseKey: string;
  args: Record<string, unknown>;
  /** The per-event query; its variables are `variables` plus SUBJECT_VARIABLE. */
  query: string;
  variables: Record<string, unknown>;
  /** Response keys of the payload's own `status` selections (set from the event, see stream.ts). */
  statusKeys: string[];
}

export const isErrors = (x: unknown): x is readonly GraphQLError[] => Array.isArray(x);

const badRequest = (message: string) => new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT } });

export function planSubscription(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Record<string, unknown> | null | undefined,
): SubscriptionPlan | readonly GraphQLError[] {
  const operation = getOperationAST(document, operationName);
  const subscriptionType = schema.getSubscriptionType();
  if (!operation || operation.operation !== 'subscription' || !subscriptionType) return [badRequest('Not a subscription operation.')];
  const roots = operation.selectionSet.selections;
  const root = roots[0];
  if (roots.length !== 1 || root?.kind !== Kind.FIELD) return [badRequest('Select exactly one subscription field, directly (no fragments at the root).')];
  const field = root.name.value;
  if (!(field in SUBSCRIPTION_FIELDS)) return [badRequest(`Subscription.${field} is not served.`)];
  const fieldDef = subscriptionType.getFields()[field]!;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
  if (coerced.errors) return coerced.errors;
  let args: Record<string, unknown>;
  try {
    args = getArgumentValues(fieldDef, root, coerced.coerced);
  } catch (err) {
    return [err instanceof GraphQLError ? err : badRequest(String(err))];
  }
  const responseKey = root.alias?.value ?? field;
  const query = followUpQuery(document, operation, root, SUBSCRIPTION_FIELDS[field as SubscriptionFieldName], responseKey);
  return {
    field: field as SubscriptionFieldName,
    responseKey,
    args,
    query: print(query.document),
    variables: Object.fromEntries(Object.entries(rawVariables ?? {}).filter(([name]) => query.variableNames.has(name))),
    statusKeys: statusKeysOf(root.selectionSet),
  };
}

function followUpQuery(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  root: FieldNode,
  queryField: string,
  responseKey: string,
): { document: DocumentNode; variableNames: Set<string> } {
  const field: FieldNode = {
    kind: Kind.FIELD,
    alias: { kind: Kind.NAME, value: responseKey },
    name: { kind: Kind.NAME, value: queryField },
    arguments: [
      { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'id' }, value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: SUBJECT_VARIABLE } } },
    ],
    directives: [],
    selectionSet: root.selectionSet,
  };
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  const neededFragments = new Set<string>();
  const variableNames = new Set<string>();
  const collect = (node: FieldNode | FragmentDefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        if (neededFragments.has(name) || !fragments.has(name)) return;
        neededFragments.add(name);
        collect(fragments.get(name)!);
      },
      Variable(v) {
        variableNames.add(v.name.value);
      },
    });
  collect(field);
  variableNames.delete(SUBJECT_VARIABLE);
  const query: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: 'query' as OperationDefinitionNode['operation'],
    name: operation.name,
    variableDefinitions: [
      ...(operation.variableDefinitions ?? []).filter((d) => variableNames.has(d.variable.name.value)),
      {
        kind: Kind.VARIABLE_DEFINITION,
        variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: SUBJECT_VARIABLE } },
        type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'ID' } } },
        directives: [],
      },
    ],
    directives: [],
    selectionSet: { kind: Kind.SELECTION_SET, selections: [field] },
  };
  return {
    document: { kind: Kind.DOCUMENT, definitions: [query, ...[...neededFragments].map((n) => fragments.get(n)!)] },
    variableNames,
  };
}

function statusKeysOf(selectionSet: SelectionSetNode | undefined): string[] {
  return (selectionSet?.selections ?? [])
    .filter((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === 'status')
    .map((s) => s.alias?.value ?? 'status');
}
