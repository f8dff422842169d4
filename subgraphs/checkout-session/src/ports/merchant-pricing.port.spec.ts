// The merchant pricing port against a local stand-in for the merchant subgraph: the contract's
// query is sent signed as a SERVICE; an answer is the configuration; null is MERCHANT_NOT_FOUND;
// no answer within the timeout, a 502 or a non-Handoff error is SERVICE_UNAVAILABLE (retryable).
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CHECKOUT_PRICING_CONFIG_QUERY } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pricingConfig } from '../../test/pricing-fixtures.js';
import { InternalMerchantPricing } from './merchant-pricing.port.js';

let server: Server;
let url: string;
let answer: (body: any, res: ServerResponse) => void;
const seen: any[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      seen.push({ body, principal: req.headers['x-handoff-principal'], signature: req.headers['x-handoff-signature'] });
      answer(body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(() => new Promise<void>((resolve) => {
  server.closeAllConnections();
  server.close(() => resolve());
}));

const json = (res: ServerResponse, body: unknown, status = 200) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

describe('InternalMerchantPricing', () => {
  it('sends the contract\'s query as a signed SERVICE call and returns the configuration', async () => {
    const config = pricingConfig();
    answer = (_b, res) => json(res, { data: { checkoutPricingConfig: config } });
    await expect(InternalMerchantPricing.over(url, 'secret').pricingConfig('mer_1')).resolves.toEqual(config);
    const last = seen.at(-1);
    expect(last.body).toEqual({ query: CHECKOUT_PRICING_CONFIG_QUERY, variables: { merchantId: 'mer_1' } });
    expect(JSON.parse(Buffer.from(last.principal, 'base64url').toString())).toEqual({ kind: 'SERVICE', service: 'checkout-session' });
    expect(last.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  });

  it('is MERCHANT_NOT_FOUND for an unknown merchant', async () => {
    answer = (_b, res) => json(res, { data: { checkoutPricingConfig: null } });
    await expect(InternalMerchantPricing.over(url, 's').pricingConfig('mer_x')).rejects.toMatchObject({ extensions: { code: 'MERCHANT_NOT_FOUND' } });
  });

  it('passes a Handoff error of the merchant subgraph through', async () => {
    answer = (_b, res) => json(res, { errors: [{ message: 'no', extensions: { code: 'FORBIDDEN' } }], data: null });
    await expect(InternalMerchantPricing.over(url, 's').pricingConfig('mer_1')).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
  });

  it.each([
    ['no answer within the timeout', (_b: any, res: ServerResponse) => setTimeout(() => json(res, {}), 1500)],
    ['a 502', (_b: any, res: ServerResponse) => res.writeHead(502).end('bad gateway')],
    ['an unexpected error', (_b: any, res: ServerResponse) => json(res, { errors: [{ message: 'boom', extensions: { code: 'INTERNAL_SERVER_ERROR' } }], data: null }, 500)],
  ])('is SERVICE_UNAVAILABLE (retryable) on %s', async (_what, h) => {
    answer = h;
    const started = Date.now();
    await expect(InternalMerchantPricing.over(url, 's', 300).pricingConfig('mer_1')).rejects.toMatchObject({
      extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'merchant_pricing:unavailable', retryable: true },
    });
    expect(Date.now() - started).toBeLessThan(1200);
  });
});
