// Handoff's executor for federated queries and mutations. @apollo/gateway plans an operation the
// first time Apollo Server has validated it (every limit and rule applied); the plan is handed
// here (experimental_didResolveQueryPlan), prepared once, and from then on requests with the same
// text run through `execute` below: from Apollo Server (the wrapped gateway executor) or, on the
// /graphql fast path, without Apollo Server at all (http/graphql-fast-path.ts). What this
// executor does not run (introspection, @defer, plans with rewrites) stays with @apollo/gateway.
import type { ApolloGateway } from '@apollo/gateway';
import type { GatewayExecutor, GatewayGraphQLRequestContext, GatewayInterface } from '@apollo/server-gateway-interface';
import { IDEMPOTENCY_KEY_HEADER } from '@handoff/shared/http/context';
import { PRINCIPAL_HEADER } from '@handoff/shared/identity/signing';
import { REQUEST_ID_HEADER } from '@handoff/shared/logging/logger';
import type { GatewayContext } from '../context.js';
import type { SignedDataSource } from '../subgraph/signed-data-source.js';
import type { FetchNode, QueryPlan, SubgraphResponse } from './plan.js';
import {
  PreparedOperationCache,
  coerceVariables,
  executePrepared,
  operationKey,
  prepareOperation,
  type ExecutionResultLike,
  type PreparedOperation,
} from './prepared.js';

type DidResolveQueryPlan = NonNullable<NonNullable<ConstructorParameters<typeof ApolloGateway>[0]>['experimental_didResolveQueryPlan']>;

export interface HandoffExecutorOptions {
  /** The signed data source of each subgraph, by name. */
  dataSources: ReadonlyMap<string, SignedDataSource>;
  onPrepareError?: (err: unknown) => void;
  /** Called once per operation run, with the executor that ran it. */
  onOperation?: (executor: 'handoff' | 'apollo') => void;
  maxEntries?: number;
}

export class HandoffExecutor {
  readonly cache: PreparedOperationCache;

  constructor(private readonly opts: HandoffExecutorOptions) {
    this.cache = new PreparedOperationCache(opts.maxEntries);
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

  /** The prepared operation for a request's text and name, if it has been validated and planned. */
  lookup(query: string, operationName: string | null | undefined): PreparedOperation | undefined {
    return this.cache.get(operationKey(query, operationName)) ?? undefined;
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
        return source.send(body, { ...headers, [IDEMPOTENCY_KEY_HEADER]: context.idempotencyKey });
      }
      return source.send(body, headers);
    };
    return executePrepared(prepared, variables, coerced, call);
  }

  /**
   * Apollo Server's gateway, with this executor in front of @apollo/gateway's: a prepared
   * operation runs here (variable errors answered as @apollo/gateway answers them), anything
   * else goes to @apollo/gateway, which plans it and so prepares it for next time.
   */
  wrap(gateway: ApolloGateway): GatewayInterface {
    return {
      load: async (options) => {
        const loaded = await gateway.load(options);
        const executor: GatewayExecutor = async (requestContext: GatewayGraphQLRequestContext) => {
          const { query, operationName, variables } = requestContext.request;
          const prepared = typeof query === 'string' ? this.lookup(query, operationName) : undefined;
          if (!prepared) {
            this.opts.onOperation?.('apollo');
            return loaded.executor(requestContext);
          }
          const given = (variables ?? {}) as Record<string, unknown>;
          const { coerced, errors } = coerceVariables(prepared, given);
          if (errors) return { errors };
          return (await this.execute(prepared, given, coerced, requestContext.context as GatewayContext)) as never;
        };
        return { schema: loaded.schema, executor };
      },
      onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
      stop: () => gateway.stop(),
    };
  }
}
