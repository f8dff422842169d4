import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import type { Principal } from '@handoff/shared/identity/principal';
import type { GatewayContext } from '../context.js';
import type { HandoffExecutor } from '../execution/handoff-executor.js';
import type { PreparedOperation } from '../execution/prepared.js';
import { directExecute } from './direct-execute.js';

const merchant = { kind: 'MERCHANT', keyId: 'key_1', merchantId: 'mer_1' } as Principal;
const prepared = { variableDefinitions: [] } as unknown as PreparedOperation;

function setUp(result: { data?: unknown; errors?: unknown[] }, plan: PreparedOperation | null = prepared) {
  const contexts: GatewayContext[] = [];
  const executor = {
    lookupOrPlan: vi.fn(() => plan ?? undefined),
    execute: vi.fn(async (_op: PreparedOperation, _v: unknown, _c: unknown, context: GatewayContext) => {
      contexts.push(context);
      return result;
    }),
  } as unknown as HandoffExecutor;
  const viaApollo = vi.fn(async () => ({ data: { via: 'apollo' } as never }));
  const formatError = vi.fn((f: GraphQLFormattedError) => ({ ...f, message: `formatted: ${f.message}` }));
  const execute = directExecute({ executor, formatError, viaApollo, newRequestId: () => 'req-new' });
  return { execute, executor, viaApollo, formatError, contexts };
}

describe('directExecute (REST operations without Apollo Server)', () => {
  it('runs a prepared operation with the caller as context: principal, request id, idempotency key', async () => {
    const t = setUp({ data: { finalizeCheckout: { id: 'ord_1' } } });
    const out = await t.execute({ query: 'mutation M { m }', principal: merchant, idempotencyKey: 'k-1', requestId: 'req-1' });
    expect(out).toEqual({ data: { finalizeCheckout: { id: 'ord_1' } } });
    expect(t.viaApollo).not.toHaveBeenCalled();
    expect(t.contexts[0]).toMatchObject({ principal: merchant, requestId: 'req-1', idempotencyKey: 'k-1' });
    expect(typeof t.contexts[0]!.principalHeader).toBe('string');
    await t.execute({ query: 'query Q { q }', principal: merchant });
    expect(t.contexts[1]!.requestId).toBe('req-new');
    expect('idempotencyKey' in t.contexts[1]!).toBe(false);
  });

  it("answers errors as Apollo Server's executeOperation does: a code on each, extensions.http dropped, through formatError", async () => {
    const t = setUp({
      data: null,
      errors: [new GraphQLError('refused', { extensions: { code: 'CHECKOUT_NOT_PAID', http: { status: 409 } } }), new Error('boom')],
    });
    const out = await t.execute({ query: 'mutation M { m }', principal: merchant });
    expect(out.data).toBeNull();
    expect(out.errors).toEqual([
      expect.objectContaining({ message: 'formatted: refused', extensions: { code: 'CHECKOUT_NOT_PAID' } }),
      expect.objectContaining({ message: 'formatted: boom', extensions: { code: 'INTERNAL_SERVER_ERROR' } }),
    ]);
    expect(t.formatError).toHaveBeenCalledTimes(2);
  });

  it('leaves to Apollo Server: a client secret, a portal user, a text not prepared, variables with a NUL, no executor', async () => {
    const t = setUp({ data: {} });
    const client = { kind: 'CLIENT', checkoutSessionId: 'cs_1', merchantId: 'mer_1' } as unknown as Principal;
    const portalUser = { ...merchant, userRole: 'ANALYST' } as unknown as Principal;
    await t.execute({ query: 'q', principal: client });
    await t.execute({ query: 'q', principal: portalUser });
    await t.execute({ query: 'q', principal: merchant, variables: { id: 'a\u0000b' } });
    expect(t.viaApollo).toHaveBeenCalledTimes(3);
    expect(t.executor.execute).not.toHaveBeenCalled();

    const unplanned = setUp({ data: {} }, null);
    expect(await unplanned.execute({ query: 'q', principal: merchant })).toEqual({ data: { via: 'apollo' } });

    const viaApollo = vi.fn(async () => ({ data: {} as never }));
    expect(directExecute({ executor: undefined, formatError: (f) => f, viaApollo, newRequestId: () => 'r' })).toBe(viaApollo);
  });
});
