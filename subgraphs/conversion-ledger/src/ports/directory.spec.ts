// InternalDirectory.prefetch against two real local HTTP servers standing in for the merchant
// and checkout-session subgraphs: one call to the merchant subgraph, answers served from it, each
// lookup's own failure surfacing only when that lookup is made; checkout-session is never asked
// on the payment-event path (the event and the signed code carry what verification checks).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InternalDirectory } from './directory.js';

type Handler = (body: { query: string; variables: Record<string, unknown> }) => { status: number; body: unknown };

async function fakeSubgraph(calls: string[], handler: () => Handler): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      calls.push(/query (\w+)/.exec(body.query)?.[1] ?? '?');
      const a = handler()(body);
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` };
}

const MERCHANT = {
  id: 'm1', status: 'ACTIVE', defaultCurrency: 'GBP', validationPeriodDays: 30,
  commissionTerms: { type: 'PERCENTAGE', cpa: null, percentageBps: 500 },
  conversionFlow: { type: 'single', steps: ['payment_received'], payableAfter: null },
};

describe('InternalDirectory.prefetch', () => {
  const merchantCalls: string[] = [];
  const checkoutCalls: string[] = [];
  let merchantHandler: Handler;
  let checkoutHandler: Handler;
  let servers: Server[] = [];
  let directory: InternalDirectory;

  beforeAll(async () => {
    const m = await fakeSubgraph(merchantCalls, () => merchantHandler);
    const c = await fakeSubgraph(checkoutCalls, () => checkoutHandler);
    servers = [m.server, c.server];
    directory = new InternalDirectory({ merchant: m.url, checkoutSession: c.url }, 'x'.repeat(40));
  });
  afterAll(async () => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));
  beforeEach(() => {
    merchantCalls.length = 0;
    checkoutCalls.length = 0;
    merchantHandler = ({ query, variables }) =>
      query.includes('LedgerAgent(')
        ? { status: 200, body: { data: { agent: { id: variables.id, builder: null } } } }
        : {
            status: 200,
            body: { data: { merchant: MERCHANT, ...(variables.withAgent ? { agent: { id: variables.agentId, builder: { id: 'b1', registered: true } } } : {}) } },
          };
    checkoutHandler = () => ({ status: 500, body: { errors: [{ message: 'checkout-session is not asked here' }] } });
  });

  it('asks the merchant subgraph once for everything, checkout-session nothing, and answers those lookups from it', async () => {
    const d = directory.prefetch({ merchantId: 'm1', agentId: 'a1' });
    expect(await d.merchant('m1')).toMatchObject({ id: 'm1', defaultCurrency: 'GBP', terms: { type: 'PERCENTAGE', percentageBps: 500 } });
    expect(await d.agent('a1')).toEqual({ id: 'a1', builder: { id: 'b1', registered: true } });
    expect(merchantCalls).toEqual(['LedgerMerchantAndAgent']);
    expect(checkoutCalls).toEqual([]);
    // A lookup it did not prefetch goes to the subgraph as before.
    expect(await d.agent('a2')).toMatchObject({ id: 'a2' });
    expect(merchantCalls).toEqual(['LedgerMerchantAndAgent', 'LedgerAgent']);
  });

  it('asks checkout-session nothing when the payment names no agent either', async () => {
    const d = directory.prefetch({ merchantId: 'm1', agentId: null });
    expect(await d.merchant('m1')).toMatchObject({ id: 'm1' });
    expect(checkoutCalls).toEqual([]);
  });

  it('a lookup the callee says does not exist is null; another lookup’s failure surfaces only when made', async () => {
    merchantHandler = () => ({
      status: 200,
      body: {
        data: { merchant: null, agent: null },
        errors: [
          { message: 'Merchant not found', path: ['merchant'], extensions: { code: 'NOT_FOUND' } },
          { message: 'database unavailable', path: ['agent'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
        ],
      },
    });
    const d = directory.prefetch({ merchantId: 'm1', agentId: 'a1' });
    expect(await d.merchant('m1')).toBeNull();
    await expect(d.agent('a1')).rejects.toThrow(/database unavailable/);
  });

  it('a subgraph that cannot be reached fails only the lookups made of it (no unhandled rejection)', async () => {
    merchantHandler = () => ({ status: 503, body: 'down' });
    const d = directory.prefetch({ merchantId: 'm1', agentId: 'a1' });
    // checkout-session is asked nothing here, so a lookup of it (a request's) still answers.
    checkoutHandler = () => ({ status: 200, body: { data: { agentSessionRecommending: { id: 's1', agent: { id: 'a1' } } } } });
    expect(await d.agentSession('s1', 'm1')).toEqual({ id: 's1', agentId: 'a1' });
    await expect(d.merchant('m1')).rejects.toThrow();
    // d.agent('a1') is never asked: its failure must not surface anywhere.
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
});
