import { ApolloServer } from '@apollo/server';
import { printSchema } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { plannerFixture } from '../../test/support/planner-fixture.js';
import { ApolloFallbackGateway, startApolloGateway } from './apollo-fallback.js';

const fixture = plannerFixture();
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const servers: ApolloServer[] = [];

function fallbackGateway(onStarted?: () => void) {
  return new ApolloFallbackGateway({ supergraphSdl: fixture.supergraphSdl, config: { logger: silent }, validateSupergraph: true, onStarted });
}

async function serve(gateway: ApolloFallbackGateway) {
  const server = new ApolloServer({ gateway, logger: silent });
  servers.push(server);
  await server.start();
  return server;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe('@apollo/gateway loaded on first use', () => {
  it('gives Apollo Server the API schema @apollo/gateway would build, without loading @apollo/gateway', async () => {
    const fallback = fallbackGateway();
    const announced: string[] = [];
    fallback.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
      announced.push(printSchema(apiSchema));
      expect(coreSupergraphSdl).toBe(fixture.supergraphSdl);
    });
    await serve(fallback);
    expect(fallback.loaded).toBe(false);

    const apollo = await startApolloGateway(fixture.supergraphSdl, { logger: silent });
    try {
      await apollo.load();
      expect(announced).toEqual([printSchema(apollo.schema!)]);
    } finally {
      await apollo.stop();
    }
  });

  it('loads and starts @apollo/gateway once, for the first operation that reaches it, and answers it', async () => {
    let starts = 0;
    const fallback = fallbackGateway(() => (starts += 1));
    const server = await serve(fallback);
    const ask = (query: string) => server.executeOperation({ query });
    const [a, b] = await Promise.all([ask('{ __typename }'), ask('{ __schema { queryType { name } } }')]);
    expect(fallback.loaded).toBe(true);
    expect(starts).toBe(1);
    expect(a.body.kind === 'single' && a.body.singleResult).toMatchObject({ data: { __typename: 'Query' } });
    expect(b.body.kind === 'single' && b.body.singleResult).toMatchObject({ data: { __schema: { queryType: { name: 'Query' } } } });
    await ask('{ __typename }');
    expect(starts).toBe(1);
  });

  it('stops the @apollo/gateway it started, and starts none once stopping', async () => {
    const fallback = fallbackGateway();
    const server = await serve(fallback);
    await server.executeOperation({ query: '{ __typename }' });
    await server.stop();
    servers.splice(servers.indexOf(server), 1);
    expect(fallback.loaded).toBe(false);
  });
});
