// The sandbox client's failure mode (sandbox-client.ts): a 4xx is the sandbox's refusal, turned
// into PspRequestRejected by the connector; a 5xx, no answer within the timeout, or no server at
// all is a plain Error (an internal error for the caller, the command rolled back).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PspRequestRejected } from '../connector.js';
import { SandboxApiError, SandboxClient } from './sandbox-client.js';
import { rejectedFrom } from './sandbox-connector.js';
import { SandboxDashboard } from './sandbox-dashboard.js';
import type { SandboxAccounts } from './sandbox-accounts.js';

let server: Server;
let url: string;
const seen: Array<{ method?: string; url?: string; auth?: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, auth: req.headers.authorization });
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/v1/refused') return answer(400, { error: { type: 'invalid_request_error', code: 'payment_intent_unexpected_state', message: 'Payment pi_1 cannot be captured while succeeded.' } });
    if (req.url === '/v1/broken') return answer(500, { error: { type: 'api_error', message: 'An internal error occurred.' } });
    if (req.url === '/v1/silent') return; // never answers
    answer(200, { id: 'pi_1', object: 'payment_intent', status: 'succeeded' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('the sandbox client', () => {
  it("sends the merchant's key as a Bearer token and reads the answer", async () => {
    const client = new SandboxClient({ url: `${url}/`, adminKey: undefined, timeoutMs: 1000 });
    expect(await client.post('sk_test_sbx_key', '/v1/payment_intents', { amount: 1 })).toMatchObject({ id: 'pi_1' });
    expect(seen.at(-1)).toEqual({ method: 'POST', url: '/v1/payment_intents', auth: 'Bearer sk_test_sbx_key' });
  });

  it("a 4xx is the sandbox's refusal: PspRequestRejected with its code and message", async () => {
    const client = new SandboxClient({ url, adminKey: undefined, timeoutMs: 1000 });
    const err = await client.post('k', '/v1/refused').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxApiError);
    const rejected = rejectedFrom(err);
    expect(rejected).toBeInstanceOf(PspRequestRejected);
    expect(rejected).toMatchObject({ code: 'payment_intent_unexpected_state', message: 'Payment pi_1 cannot be captured while succeeded.' });
  });

  it('a 5xx, no answer within the timeout, or no server: a plain failure, never a refusal', async () => {
    const client = new SandboxClient({ url, adminKey: undefined, timeoutMs: 300 });
    const broken = await client.post('k', '/v1/broken').catch((e: unknown) => e);
    expect(broken).toBeInstanceOf(Error);
    expect(broken).not.toBeInstanceOf(SandboxApiError);
    expect(rejectedFrom(broken)).not.toBeInstanceOf(PspRequestRejected);
    const started = Date.now();
    const silent = await client.post('k', '/v1/silent').catch((e: unknown) => e);
    expect((silent as Error).message).toMatch(/did not answer: timed out after 300 ms/);
    expect(Date.now() - started).toBeLessThan(3000);
    const gone = new SandboxClient({ url: 'http://127.0.0.1:1', adminKey: 'x'.repeat(32), timeoutMs: 300 });
    const refused = await gone.admin('GET', '/v1/dashboard/failed_jobs').catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(/did not answer/);
    expect(rejectedFrom(refused)).not.toBeInstanceOf(PspRequestRejected);
  });

  it("without the operator key: operator calls fail saying so; the dashboard has no sandbox jobs to list or replay", async () => {
    const client = new SandboxClient({ url, adminKey: undefined, timeoutMs: 300 });
    const before = seen.length;
    await expect(client.admin('GET', '/v1/dashboard/failed_jobs')).rejects.toThrow(/PSP_SANDBOX_ADMIN_KEY is not set/);
    const dashboard = new SandboxDashboard(client, {} as SandboxAccounts);
    expect(await dashboard.failedJobs('sandbox-webhook-delivery', 10)).toEqual([]);
    expect(await dashboard.replay('sandbox-webhook-delivery', 'job-1')).toBe(false);
    expect(seen.length).toBe(before);
  });
});
