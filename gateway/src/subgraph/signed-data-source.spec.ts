import { parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@handoff/shared/logging/logger';
import { encodePrincipal } from '@handoff/shared/identity/signing';
import { LeanResponse } from './signing-fetcher.js';
import { isSingleMutation, SignedDataSource, SUBGRAPH_HTTP_ERROR } from './signed-data-source.js';

const op = (q: string) => parse(q).definitions[0] as OperationDefinitionNode;
const source = () => new SignedDataSource({ url: 'http://127.0.0.1:1/graphql', name: 'merchant', logger: createLogger('t', 'silent') } as never);
const json = (status: number, body: unknown) =>
  new LeanResponse('http://127.0.0.1:1/graphql', status, 'x', { 'content-type': 'application/json' }, Buffer.from(JSON.stringify(body)));

describe('isSingleMutation', () => {
  it('is true only for a mutation with one root field', () => {
    expect(isSingleMutation(op('mutation { a }'))).toBe(true);
    expect(isSingleMutation(op('mutation M($x: Int) { a(x: $x) { b c } }'))).toBe(true);
    expect(isSingleMutation(op('mutation { a b }'))).toBe(false);
    expect(isSingleMutation(op('mutation { ... on Mutation { a } }'))).toBe(false);
    expect(isSingleMutation(op('query { a }'))).toBe(false);
    expect(isSingleMutation(undefined)).toBe(false);
  });
});

describe('SignedDataSource.willSendRequest', () => {
  function send(query: string, incoming: string, context: Record<string, unknown>) {
    const headers = new Map<string, string>();
    const h = { set: (k: string, v: string) => headers.set(k.toLowerCase(), v) };
    source().willSendRequest({
      request: { query, http: { headers: h, url: '', method: 'POST' } },
      incomingRequestContext: { operation: op(incoming) },
      context,
      kind: 'incoming operation',
    } as never);
    return headers;
  }
  const ctx = { principalHeader: encodePrincipal({ kind: 'ADMIN', keyId: 'k' }), requestId: 'req-12345678', idempotencyKey: 'idem-1' };

  it('sets the principal and request id on every call', () => {
    const h = send('query { a }', 'query { a }', ctx);
    expect(h.get('x-handoff-principal')).toBe(ctx.principalHeader);
    expect(h.get('x-request-id')).toBe('req-12345678');
    expect(h.has('idempotency-key')).toBe(false);
  });

  it('forwards Idempotency-Key to the mutation call of a single-mutation request only', () => {
    expect(send('mutation { a }', 'mutation { a }', ctx).get('idempotency-key')).toBe('idem-1');
    expect(send('query { _entities }', 'mutation { a }', ctx).has('idempotency-key')).toBe(false); // follow-up entity fetch
    expect(send('mutation { a b }', 'mutation { a b }', ctx).has('idempotency-key')).toBe(false);
    expect(send('mutation { a }', 'mutation { a }', { ...ctx, idempotencyKey: undefined }).has('idempotency-key')).toBe(false);
  });
});

describe('SignedDataSource.errorFromResponse', () => {
  it('passes on a 4xx GraphQL error with a public code (the subgraph already masked it)', async () => {
    const err = await source().errorFromResponse(
      json(400, { errors: [{ message: 'Variable "$input" got invalid value "XX"; currency: unknown', extensions: { code: 'BAD_USER_INPUT' } }] }),
    );
    expect(err.message).toMatch(/currency: unknown/);
    expect(err.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('turns 401/403 (our signature refused), 5xx and non-GraphQL bodies into an internal error with no URL', async () => {
    for (const res of [
      json(401, { errors: [{ message: 'Unauthorized.', extensions: { code: 'UNAUTHENTICATED' } }] }),
      json(500, { message: 'pg at postgres://10.0.0.1 down' }),
      new LeanResponse('http://x', 502, 'Bad Gateway', { 'content-type': 'text/html' }, Buffer.from('<h1>502</h1>')),
      json(400, { errors: [{ message: 'weird', extensions: { code: 'SOMETHING_ELSE' } }] }),
    ]) {
      const err = await source().errorFromResponse(res);
      expect(err.extensions.code).toBe(SUBGRAPH_HTTP_ERROR);
      expect(err.extensions.response).toBeUndefined();
      expect(err.message).not.toMatch(/http:|postgres/);
    }
  });
});
