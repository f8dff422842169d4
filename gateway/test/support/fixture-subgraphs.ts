// Four tiny subgraphs under the real names, served by the shared signed subgraph server (so every
// call is checked for the gateway's signature), for gateway behaviours no real subgraph shows on
// demand: a resolver throwing a plain Error that carries a URL and a path, a subgraph answering
// HTTP 500 with internals in its body, the exact headers that reached a subgraph, a query deep
// enough for the limits. They hold no data and stand in for no database.
import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import express from 'express';
import { createLogger, createSubgraphServer, FEDERATION_LINK, type RunningServer, type SubgraphContext } from '@handoff/shared';
import { listenGracefully } from '../../src/http/listen.js';

const typeDefs: Record<string, string> = {
  merchant: `
    type Query { whoami: String  boom: String  node(id: ID!): Node }
    type Mutation { createThing(name: String!): String  createOther(name: String!): String }
    type Node @key(fields: "id") { id: ID!  name: String!  child: Node  items(first: Int): [Node!]! }
  `,
  'checkout-session': `type Query { sessionCount: Int }`,
  'payment-intent': `type Query { paymentCount: Int }`,
  'conversion-ledger': `type Query { conversionCount: Int }`,
};

const resolvers: Record<string, object> = {
  merchant: {
    Query: {
      whoami: (_: unknown, __: unknown, ctx: SubgraphContext) => JSON.stringify(ctx.principal),
      boom: () => {
        throw new Error('connect ECONNREFUSED http://10.1.2.3:5432/secret at /srv/app/merchant.ts:42');
      },
      node: (_: unknown, { id }: { id: string }) => ({ id, name: `n-${id}` }),
    },
    Mutation: {
      createThing: (_: unknown, { name }: { name: string }, ctx: SubgraphContext) => `${name}:${ctx.idempotencyKey ?? '-'}`,
      createOther: (_: unknown, { name }: { name: string }, ctx: SubgraphContext) => `${name}:${ctx.idempotencyKey ?? '-'}`,
    },
    Node: {
      child: (n: { id: string }) => ({ id: `${n.id}c`, name: `n-${n.id}c` }),
      items: (n: { id: string }, { first }: { first?: number }) =>
        Array.from({ length: Math.min(first ?? 2, 5) }, (_, i) => ({ id: `${n.id}.${i}`, name: `n-${n.id}.${i}` })),
    },
  },
  'checkout-session': { Query: { sessionCount: () => 1 } },
  'payment-intent': { Query: { paymentCount: () => 2 } },
  'conversion-ledger': { Query: { conversionCount: () => 3 } },
};

export interface SeenCall {
  subgraph: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface FixtureSubgraphs {
  urls: Record<string, string>;
  supergraphSdl: string;
  /** Raw requests that reached each subgraph's /graphql. */
  seen: SeenCall[];
  /** Subgraphs that answer the next calls with HTTP 500 and internals in the body. */
  failing: Set<string>;
  servers: Record<string, RunningServer>;
  stop(): Promise<void>;
}

export async function startFixtureSubgraphs(internalSecret: string): Promise<FixtureSubgraphs> {
  const seen: SeenCall[] = [];
  const failing = new Set<string>();
  const logger = createLogger('fixture', 'silent');
  const servers: Record<string, RunningServer> = {};
  const urls: Record<string, string> = {};
  for (const [name, defs] of Object.entries(typeDefs)) {
    const schema = buildSubgraphSchema([{ typeDefs: parse(`${FEDERATION_LINK}\n${defs}`), resolvers: resolvers[name] as never }]);
    const server = await createSubgraphServer({ name, schema, internalSecret, logger });
    const app = express();
    app.post('/graphql', express.raw({ type: () => true }), (req, res, next) => {
      seen.push({ subgraph: name, headers: { ...req.headers }, body: Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '' });
      if (failing.has(name)) {
        res.status(500).json({ message: 'pg: connection to postgres://admin:pw@10.9.8.7:5432 refused', stack: 'at /srv/app/x.ts:1' });
        return;
      }
      // body-parser marks the body read, so the signed server's own express.raw reuses these bytes.
      next();
    });
    app.use(server.app);
    servers[name] = await listenGracefully(app, 0, '127.0.0.1', 100);
    urls[name] = `${servers[name]!.url}/graphql`;
  }
  const composed = composeServices(
    Object.entries(typeDefs).map(([name, defs]) => ({ name, url: 'http://ignored.invalid/graphql', typeDefs: parse(`${FEDERATION_LINK}\n${defs}`) })),
  );
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  return {
    urls,
    supergraphSdl: composed.supergraphSdl!,
    seen,
    failing,
    servers,
    stop: async () => {
      for (const s of Object.values(servers)) await s.close();
    },
  };
}
