import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PAYLOAD_SIGNATURE_HEADER } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpInventoryProvider } from './inventory.http-provider.js';
import type { ReserveRequest } from './inventory.provider.js';

const seen: Array<{ body: any; signed: boolean }> = [];
let answer: (body: any) => { status: number; json: unknown } = () => ({ status: 200, json: {} });
let server: Server;
let url: string;
const manager = {} as EntityManager; // the HTTP path writes nothing of Handoff's

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw);
      seen.push({ body, signed: typeof req.headers[PAYLOAD_SIGNATURE_HEADER.toLowerCase()] === 'string' });
      const a = answer(body);
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.json));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/inventory`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const req = (strategy: ReserveRequest['strategy']): ReserveRequest => ({
  merchantId: 'mer_1', reservationId: 'rsv_1', checkoutSessionId: 'cs_1', strategy, locations: null, expiresAt: new Date('2030-01-01T00:00:00Z'),
  lines: [{ position: 1, offerId: 'off_a', quantity: 3 }, { position: 2, offerId: null, quantity: 1 }],
});
const provider = (fallback: 'BUILT_IN' | 'FAIL' = 'FAIL') => new HttpInventoryProvider({ url, secret: 'whsec_test', timeoutMs: 2000 }, fallback, { allowPrivateUrls: true });

describe("the merchant's inventory endpoint", () => {
  it('asks inventory.reserve signed, and answers each line what the endpoint holds (a short line in part under best_fit)', async () => {
    seen.length = 0;
    answer = () => ({ status: 200, json: { lines: [{ id: 'line_1', reserved: 2 }] } });
    const r = await provider().reserve(manager, req('best_fit'));
    expect(r.heldBy).toBe('HTTP');
    expect(r.lines).toEqual([
      { position: 1, offerId: 'off_a', requested: 3, reserved: 2, tracked: true, allocations: [{ locationId: 'merchant', quantity: 2 }] },
      { position: 2, offerId: null, requested: 1, reserved: 1, tracked: false, allocations: [] },
    ]);
    expect(seen).toEqual([{ signed: true, body: expect.objectContaining({ type: 'inventory.reserve', reservation_id: 'rsv_1', lines: [{ id: 'line_1', offer_id: 'off_a', quantity: 3 }] }) }]);
  });

  it('all_or_nothing: a short answer refuses (INVENTORY_SHORTFALL) and tells the endpoint to release', async () => {
    seen.length = 0;
    answer = (b) => ({ status: 200, json: b.type === 'inventory.reserve' ? { lines: [{ id: 'line_1', reserved: 1 }] } : {} });
    await expect(provider().reserve(manager, req('all_or_nothing'))).rejects.toMatchObject({ code: 'INVENTORY_SHORTFALL' });
    expect(seen.map((s) => s.body.type)).toEqual(['inventory.reserve', 'inventory.release']);
  });

  it('a bad answer or a failing endpoint with fallback FAIL is PROVIDER_UNAVAILABLE', async () => {
    answer = () => ({ status: 200, json: { lines: [{ id: 'line_1', reserved: 9 }] } });
    await expect(provider().reserve(manager, req('best_fit'))).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    answer = () => ({ status: 503, json: {} });
    await expect(provider().reserve(manager, req('best_fit'))).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
  });

  it('release and commit are told; a failing endpoint is not an error (its hold lapses at expires_at)', async () => {
    seen.length = 0;
    answer = () => ({ status: 500, json: {} });
    const held = { merchantId: 'mer_1', reservationId: 'rsv_1', lines: [{ position: 1, offerId: 'off_a', requested: 3, reserved: 2, tracked: true, allocations: [] }] };
    await provider().release(manager, held);
    await provider().commit(manager, held);
    expect(seen.map((s) => [s.body.type, s.body.lines])).toEqual([
      ['inventory.release', [{ id: 'line_1', offer_id: 'off_a', quantity: 2 }]],
      ['inventory.commit', [{ id: 'line_1', offer_id: 'off_a', quantity: 2 }]],
    ]);
  });
});
