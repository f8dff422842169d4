// The one helper that turns type-graphql resolvers into a Federation 2 subgraph schema:
// build with type-graphql, print with directives (graphql's printSchema drops @key), prefix the
// federation @link (without it composition silently applies Federation 1 rules), and hand the
// SDL plus type-graphql's resolver map, merged with the reference resolvers, to @apollo/subgraph.
import 'reflect-metadata';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { parse, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { GraphQLDateTime } from 'graphql-scalars';
import { buildSchema, createResolversMap, type ContainerType, type NonEmptyArray } from 'type-graphql';

export const FEDERATION_IMPORTS = [
  '@key',
  '@shareable',
  '@external',
  '@requires',
  '@provides',
  '@inaccessible',
  '@override',
  '@tag',
] as const;

export const FEDERATION_LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: [${FEDERATION_IMPORTS.map((d) => `"${d}"`).join(', ')}])`;

export type ReferenceResolver<Ctx = unknown> = (
  reference: Record<string, unknown> & { __typename: string },
  context: Ctx,
  info: GraphQLResolveInfo,
) => unknown;

export interface FederatedSchemaOptions<Ctx = unknown> {
  resolvers: NonEmptyArray<Function>;
  /** Types not reachable from a resolver but part of the subgraph (e.g. entity stubs). */
  orphanedTypes?: Function[];
  /** `__resolveReference` per entity type name. */
  referenceResolvers?: Record<string, ReferenceResolver<Ctx>>;
  /** Resolver instances, built with their collaborators (constructor injection). */
  container: ContainerType;
}

export interface FederatedSchema {
  schema: GraphQLSchema;
  /** The subgraph SDL with the federation @link, as composition reads it. */
  sdl: string;
}

/** A container over resolver instances the caller built; unknown classes are a wiring bug. */
export function instanceContainer(instances: object[]): ContainerType {
  const byClass = new Map<Function, object>(instances.map((i) => [i.constructor, i]));
  return {
    get(someClass: Function) {
      const instance = byClass.get(someClass);
      if (!instance) throw new Error(`No resolver instance registered for ${someClass.name}`);
      return instance;
    },
  };
}

/**
 * Subgraphs declare their Subscription fields only so they compose into the graph; the gateway
 * serves them (gateway/src/subscriptions) from outbox events. type-graphql insists on a PubSub
 * once any @Subscription exists: this one is never used (each declares its own `subscribe`).
 */
const GATEWAY_SERVED_PUBSUB = {
  publish: () => undefined,
  subscribe: (): AsyncIterable<unknown> => {
    throw new Error('Subscriptions are served by the gateway, not by subgraphs.');
  },
};

export async function buildFederatedSchema<Ctx>(opts: FederatedSchemaOptions<Ctx>): Promise<FederatedSchema> {
  const built = await buildSchema({
    resolvers: opts.resolvers,
    orphanedTypes: opts.orphanedTypes,
    container: opts.container,
    skipCheck: true,
    validate: false,
    scalarsMap: [{ type: Date, scalar: GraphQLDateTime }],
    pubSub: GATEWAY_SERVED_PUBSUB,
  });
  const sdl = `${FEDERATION_LINK}\n\n${printSchemaWithDirectives(built)}`;
  const resolvers = createResolversMap(built) as Record<string, Record<string, unknown>>;
  for (const [typeName, resolveReference] of Object.entries(opts.referenceResolvers ?? {})) {
    resolvers[typeName] = { ...(resolvers[typeName] ?? {}), __resolveReference: resolveReference };
  }
  const schema = buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers: resolvers as never }]);
  return { schema, sdl };
}
