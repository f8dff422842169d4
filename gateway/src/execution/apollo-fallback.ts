// The gateway Apollo Server is given when Handoff's executor runs operations: the API schema is
// built from the supergraph at start, and @apollo/gateway (its planner, executor and everything it
// loads: an OpenTelemetry SDK, make-fetch-happen, composition) is loaded and started only when the
// first operation needs it: one Handoff's planner leaves alone (introspection, abstract types,
// @defer…). Until then the gateway process does without its ~15 MB of heap, which under load
// V8's heap growth turned into ~30 MB of RSS. Once loaded it stays, for every later such operation.
import type { ApolloGateway, GatewayConfig } from '@apollo/gateway';
import { Supergraph } from '@apollo/federation-internals';
import type {
  GatewayExecutor,
  GatewayInterface,
  GatewayLoadResult,
  GatewaySchemaLoadOrUpdateCallback,
} from '@apollo/server-gateway-interface';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from '@handoff/shared/logging/logger';
import type { SignedDataSource } from '../subgraph/signed-data-source.js';
import type { HandoffExecutor } from './handoff-executor.js';

export interface ApolloFallbackOptions {
  supergraphSdl: string;
  /** @apollo/gateway's options but the supergraph (given above) and its manager. */
  config: Omit<GatewayConfig, 'supergraphSdl'>;
  /** Validate the supergraph while building the schema (@apollo/gateway's default: outside production). */
  validateSupergraph: boolean;
  /** Called once, when @apollo/gateway has been loaded and started. */
  onStarted?: () => void;
}

/** Loads @apollo/gateway and starts it on the supergraph: the gateway process's only import of it. */
export async function startApolloGateway(supergraphSdl: string, config: Omit<GatewayConfig, 'supergraphSdl'>): Promise<ApolloGateway> {
  const { ApolloGateway } = await import('@apollo/gateway');
  return new ApolloGateway({ ...config, supergraphSdl } as GatewayConfig);
}

export class ApolloFallbackGateway implements GatewayInterface {
  readonly apiSchema: GraphQLSchema;
  private readonly listeners = new Set<GatewaySchemaLoadOrUpdateCallback>();
  private apollo: Promise<{ gateway: ApolloGateway; executor: GatewayExecutor }> | undefined;
  private stopped = false;

  constructor(private readonly opts: ApolloFallbackOptions) {
    // What @apollo/gateway builds from the same SDL (Supergraph.build, then its API schema).
    const supergraph = Supergraph.build(opts.supergraphSdl, { validateSupergraph: opts.validateSupergraph });
    this.apiSchema = supergraph.apiSchema().toGraphQLJSSchema();
  }

  /** Whether @apollo/gateway has been loaded and not stopped since. */
  get loaded(): boolean {
    return this.apollo !== undefined;
  }

  onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback): () => void {
    this.listeners.add(callback);
    return () => this.listeners.delete(callback);
  }

  async load(): Promise<GatewayLoadResult> {
    // The supergraph is static: one schema, announced once per listener as @apollo/gateway does.
    for (const listener of this.listeners) listener({ apiSchema: this.apiSchema, coreSupergraphSdl: this.opts.supergraphSdl });
    const executor: GatewayExecutor = async (requestContext) => (await this.started()).executor(requestContext);
    return { executor };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const apollo = this.apollo;
    this.apollo = undefined;
    if (apollo) await apollo.then((a) => a.gateway.stop(), () => undefined);
  }

  /** @apollo/gateway, loaded and started on first use; concurrent first uses share one start. */
  private started(): Promise<{ gateway: ApolloGateway; executor: GatewayExecutor }> {
    if (this.stopped) return Promise.reject(new Error('the gateway is stopping'));
    if (this.apollo) return this.apollo;
    const starting = (async () => {
      const gateway = await startApolloGateway(this.opts.supergraphSdl, this.opts.config);
      const { executor } = await gateway.load();
      if (!executor) throw new Error('@apollo/gateway loaded without an executor');
      this.opts.onStarted?.();
      return { gateway, executor };
    })();
    // A failed start is not remembered: the next operation that needs @apollo/gateway tries again.
    starting.catch(() => {
      if (this.apollo === starting) this.apollo = undefined;
    });
    this.apollo = starting;
    return starting;
  }
}

/**
 * The gateway Apollo Server runs on: Handoff's executor in front of @apollo/gateway loaded on first
 * use or, without Handoff's executor (GATEWAY_EXECUTOR=apollo), @apollo/gateway for everything.
 * `apiSchema` is the API schema for subscriptions.
 */
export async function gatewayForApolloServer(opts: {
  supergraphSdl: string;
  dataSources: ReadonlyMap<string, SignedDataSource>;
  executor: HandoffExecutor | undefined;
  logger: Logger;
  production: boolean;
}): Promise<{ gateway: GatewayInterface; apiSchema: () => GraphQLSchema | undefined }> {
  const { executor, logger, dataSources } = opts;
  const config: Omit<GatewayConfig, 'supergraphSdl'> = {
    logger: logger.child({ component: 'apollo-gateway' }),
    buildService: ({ name }) => {
      const source = dataSources.get(name);
      if (!source) throw new Error(`The supergraph names an unknown subgraph: ${name}`);
      return source;
    },
    experimental_didResolveQueryPlan: executor?.didResolveQueryPlan,
  };
  if (!executor) {
    const gateway = await startApolloGateway(opts.supergraphSdl, config);
    return { gateway, apiSchema: () => gateway.schema };
  }
  const fallback = new ApolloFallbackGateway({
    supergraphSdl: opts.supergraphSdl,
    config,
    validateSupergraph: !opts.production,
    onStarted: () => logger.info("@apollo/gateway loaded for an operation Handoff's planner leaves to it"),
  });
  return { gateway: executor.wrap(fallback), apiSchema: () => fallback.apiSchema };
}
