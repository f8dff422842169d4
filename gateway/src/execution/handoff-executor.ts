// Handoff's executor for federated queries and mutations. The first time Apollo Server has
// validated an operation (every limit and rule applied), Handoff's own planner (planner/) plans it
// and it is prepared once; what that planner leaves alone is planned by @apollo/gateway, whose plan
// is handed here (experimental_didResolveQueryPlan) and prepared the same way. From then on
// requests with the same text run through `execute` below: from Apollo Server (the wrapped gateway
// executor) or, on the /graphql fast path, without Apollo Server at all (http/graphql-fast-path.ts).
// What this executor does not run (introspection, @defer, plans with rewrites) stays with
// @apollo/gateway.
import type { ApolloGateway } from '@apollo/gateway';
import type { GatewayExecutor, GatewayGraphQLRequestContext, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  Kind,
  getOperationAST,
  parse,
  specifiedRules,
  stripIgnoredCharacters,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type ParseOptions,
  type ValidationRule,
} from 'graphql';
import { IDEMPOTENCY_KEY_HEADER } from '@handoff/shared/http/context';
import { PRINCIPAL_HEADER } from '@handoff/shared/identity/signing';
import { REQUEST_ID_HEADER } from '@handoff/shared/logging/logger';
import type { GatewayContext } from '../context.js';
import type { SignedDataSource } from '../subgraph/signed-data-source.js';
import type { FetchNode, QueryPlan, SubgraphResponse } from './plan.js';
import { mergeRules, validateOnce } from '../graphql/validate-once.js';
import { flatString } from './flat-string.js';
import { HandoffQueryPlanner } from './planner/query-planner.js';
import {
  PreparedOperationCache,
  coerceVariables,
  executePrepared,
  operationKey,
  prepareOperation,
  type ExecutionResultLike,
  type PreparedOperation,
} from './prepared.js';
import { Unsupported } from './selection.js';

type DidResolveQueryPlan = NonNullable<NonNullable<ConstructorParameters<typeof ApolloGateway>[0]>['experimental_didResolveQueryPlan']>;

export interface HandoffExecutorOptions {
  /** The signed data source of each subgraph, by name. */
  dataSources: ReadonlyMap<string, SignedDataSource>;
  onPrepareError?: (err: unknown) => void;
  /** Called once per operation run, with the executor that ran it. */
  onOperation?: (executor: 'handoff' | 'apollo') => void;
  /**
   * Called once per plan-cache miss Handoff's planner was asked about: `handoff` when it planned
   * the operation, `apollo` (with the reason) when it left it to @apollo/gateway.
   */
  onPlan?: (planner: 'handoff' | 'apollo', reason?: string) => void;
  maxEntries?: number;
  /**
   * Apollo Server's parse options and validation rules (beyond graphql-js's specified rules): with
   * them a new text is parsed, validated and planned on the /graphql fast path (`lookupOrPlan`).
   */
  validation?: { parseOptions: ParseOptions; validationRules: readonly ValidationRule[] };
}

export class HandoffExecutor {
  readonly cache: PreparedOperationCache;
  /** Handoff's planner for the current supergraph (rebuilt when @apollo/gateway loads a new one). */
  private planner: HandoffQueryPlanner | undefined;
  /** graphql-js's specified rules and the gateway's, as one rule (graphql/validate-once.ts). */
  private readonly rules: ValidationRule | undefined;

  constructor(private readonly opts: HandoffExecutorOptions) {
    this.cache = new PreparedOperationCache(opts.maxEntries);
    this.rules = opts.validation && mergeRules([...specifiedRules, ...opts.validation.validationRules]);
  }

  /** For ApolloGateway's `experimental_didResolveQueryPlan`: prepares what Apollo just planned. */
  readonly didResolveQueryPlan: DidResolveQueryPlan = ({ queryPlan, requestContext, operationContext }) => {
    const query = requestContext.request.query;
    if (typeof query !== 'string' || query.length > this.cache.maxQueryLength) return;
    const key = operationKey(query, requestContext.request.operationName);
    if (this.cache.get(key) !== undefined) return;
    let prepared: PreparedOperation | undefined;
    try {
      prepared = prepareOperation({
        schema: operationContext.schema,
        operation: operationContext.operation,
        fragments: operationContext.fragments,
        queryPlan: queryPlan as QueryPlan,
      });
    } catch (err) {
      this.opts.onPrepareError?.(err);
    }
    this.cache.set(key, prepared ?? null);
  };

  /** Builds Handoff's planner for a supergraph @apollo/gateway loaded (its API schema, its SDL). */
  useSupergraph(apiSchema: GraphQLSchema, supergraphSdl: string): void {
    try {
      this.planner = new HandoffQueryPlanner(apiSchema, supergraphSdl);
      if (this.planner.unsupported) this.opts.onPrepareError?.(new Error(`Handoff's planner is off for this supergraph: ${this.planner.unsupported}`));
    } catch (err) {
      this.planner = undefined;
      this.opts.onPrepareError?.(err);
    }
  }

  /**
   * A plan-cache miss, validated by Apollo Server: planned by Handoff's planner and prepared (and
   * cached), or undefined when it is @apollo/gateway's to plan (nothing cached then: Apollo's
   * plan is prepared through didResolveQueryPlan). `schema` must be the planner's API schema.
   */
  planMiss(
    key: string,
    schema: GraphQLSchema,
    operation: GatewayGraphQLRequestContext['operation'] | undefined,
    document: DocumentNode,
  ): PreparedOperation | undefined {
    const planner = this.planner;
    if (!planner || !operation || planner.schema !== schema) return undefined;
    const fragments = fragmentsOf(document);
    let prepared: PreparedOperation | undefined;
    try {
      prepared = prepareOperation({ schema, operation, fragments, queryPlan: planner.plan(operation, fragments) });
    } catch (err) {
      if (!(err instanceof Unsupported)) this.opts.onPrepareError?.(err);
      this.opts.onPlan?.('apollo', (err as Error).message);
      return undefined;
    }
    if (!prepared) {
      this.opts.onPlan?.('apollo', 'not preparable');
      return undefined;
    }
    this.cache.set(key, prepared);
    this.opts.onPlan?.('handoff');
    return prepared;
  }

  /**
   * The prepared operation for a request's text and name; a text not seen before is parsed and
   * validated as Apollo Server does (its parse options, graphql-js's specified rules and the
   * gateway's) and planned by Handoff's planner. Undefined: Apollo Server takes the request —
   * every text that does not parse or validate (its answer is Apollo Server's own), one with a NUL
   * or a `\u` escape (the NUL check is its plugin's), and whatever the planner leaves to Apollo.
   * Apollo Server's own rule beyond these, NoIntrospection in production, concerns only
   * introspection fields, which the planner never plans.
   */
  lookupOrPlan(query: string, operationName: string | null | undefined): PreparedOperation | undefined {
    const key = operationKey(query, operationName);
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit ?? undefined;
    const planner = this.planner;
    const validation = this.opts.validation;
    const rules = this.rules;
    if (!planner || !validation || !rules || query.length > this.cache.maxQueryLength) return undefined;
    if (query.includes('\u0000') || query.includes('\\u')) return undefined;
    // The same document written differently (comments, whitespace, commas: characters the grammar
    // ignores, so the same tokens, the same parse and the same validation) is the same operation:
    // the entry made for it serves this text too, without parsing, validating or planning again.
    const normalized = normalizedKey(query, operationName);
    if (normalized !== undefined && normalized !== key) {
      const same = this.cache.get(normalized);
      if (same !== undefined) {
        this.cache.set(key, same);
        return same ?? undefined;
      }
    }
    const remember = (prepared: PreparedOperation | null) => {
      this.cache.set(key, prepared);
      if (normalized !== undefined && normalized !== key) this.cache.set(normalized, prepared);
    };
    let document: DocumentNode;
    try {
      document = parse(query, validation.parseOptions);
    } catch {
      remember(null); // Apollo Server answers it, and will every time
      return undefined;
    }
    if (validateOnce(planner.schema, document, rules).length > 0) {
      remember(null);
      return undefined;
    }
    const operation = getOperationAST(document, operationName ?? undefined);
    if (!operation) return undefined;
    const prepared = this.planMiss(key, planner.schema, operation, document);
    if (prepared) remember(prepared);
    return prepared;
  }

  /** Runs a prepared operation for a caller (variables already coerced). */
  execute(
    prepared: PreparedOperation,
    variables: Readonly<Record<string, unknown>>,
    coerced: Readonly<Record<string, unknown>>,
    context: GatewayContext,
  ): Promise<ExecutionResultLike> {
    this.opts.onOperation?.('handoff');
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [PRINCIPAL_HEADER]: context.principalHeader,
      [REQUEST_ID_HEADER]: context.requestId,
    };
    const call = (fetch: FetchNode, body: string): Promise<SubgraphResponse> => {
      const source = this.opts.dataSources.get(fetch.serviceName);
      if (!source) return Promise.reject(new Error(`Couldn't find service with name "${fetch.serviceName}"`));
      if (prepared.singleMutation && context.idempotencyKey !== undefined && fetch.operation.startsWith('mutation')) {
        return source.send(body, { ...headers, [IDEMPOTENCY_KEY_HEADER]: context.idempotencyKey }, fetch.operation);
      }
      return source.send(body, headers, fetch.operation);
    };
    return executePrepared(prepared, variables, coerced, call);
  }

  /**
   * Apollo Server's gateway, with this executor in front of @apollo/gateway's: a prepared
   * operation runs here (variable errors answered as @apollo/gateway answers them); a new one is
   * planned by Handoff's planner, prepared and run here too; anything that planner leaves alone
   * goes to @apollo/gateway, which plans it and so prepares it for next time.
   */
  wrap(gateway: GatewayInterface): GatewayInterface {
    let unsubscribe: (() => void) | undefined;
    return {
      load: async (options) => {
        unsubscribe ??= gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => this.useSupergraph(apiSchema, coreSupergraphSdl));
        const fallback = (await gateway.load(options)).executor;
        if (!fallback) throw new Error('the wrapped gateway has no executor');
        const executor: GatewayExecutor = async (requestContext: GatewayGraphQLRequestContext) => {
          const { query, operationName, variables } = requestContext.request;
          let prepared: PreparedOperation | undefined;
          if (typeof query === 'string' && query.length <= this.cache.maxQueryLength) {
            const key = operationKey(query, operationName);
            const cached = this.cache.get(key);
            // null: Apollo planned it before and it could not be prepared; stay with Apollo.
            prepared = cached === undefined ? this.planMiss(key, requestContext.schema, requestContext.operation, requestContext.document) : (cached ?? undefined);
          }
          if (!prepared) {
            this.opts.onOperation?.('apollo');
            return fallback(requestContext);
          }
          const given = (variables ?? {}) as Record<string, unknown>;
          const { coerced, errors } = coerceVariables(prepared, given);
          if (errors) return { errors };
          return (await this.execute(prepared, given, coerced, requestContext.context as GatewayContext)) as never;
        };
        return { executor };
      },
      onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
      stop: () => {
        unsubscribe?.();
        unsubscribe = undefined;
        return gateway.stop();
      },
    };
  }
}

/** The cache key of the text without its ignored characters; undefined when it does not lex (the parse will say why). */
function normalizedKey(query: string, operationName: string | null | undefined): string | undefined {
  try {
    return flatString(operationKey(stripIgnoredCharacters(query), operationName));
  } catch {
    return undefined;
  }
}

function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const fragments: Record<string, FragmentDefinitionNode> = Object.create(null);
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  return fragments;
}
