import { describe, expect, it } from 'vitest';
import type { InternalRequest, Principal } from '@handoff/shared';
import type { CheckoutLifecycleService } from './checkout-session.lifecycle.js';
import { parsePaymentSucceeded, paymentSucceededRoutes } from './payment-succeeded.route.js';

const body = { checkoutSessionId: 'cs_1', paymentIntentId: 'pi_1', amountMinor: 5000, currency: 'GBP' };
const request = (principal: Principal, raw: unknown): InternalRequest => ({
  principal,
  requestId: 'r',
  rawBody: Buffer.from(typeof raw === 'string' ? raw : JSON.stringify(raw)),
  params: {},
  headers: {},
  gone: () => false,
});

/** The lifecycle the route hands a good call to: records what it was given. */
function recordingLifecycle() {
  const calls: unknown[] = [];
  const lifecycle = {
    completeFromPayment: async (event: unknown) => {
      calls.push(event);
      return 'completed' as const;
    },
  } as unknown as CheckoutLifecycleService;
  return { calls, lifecycle };
}
const logger = { warn: () => undefined } as never;

describe('POST /internal/checkout-payments/succeeded', () => {
  it('parses the contract and names the first bad field', () => {
    expect(parsePaymentSucceeded(Buffer.from(JSON.stringify(body)))).toEqual(body);
    expect(parsePaymentSucceeded(Buffer.from('nope'))).toEqual({ field: 'body', message: 'must be JSON.' });
    expect(parsePaymentSucceeded(Buffer.from('[]'))).toMatchObject({ field: 'body' });
    expect(parsePaymentSucceeded(Buffer.from(JSON.stringify({ ...body, paymentIntentId: '' })))).toMatchObject({ field: 'paymentIntentId' });
    expect(parsePaymentSucceeded(Buffer.from(JSON.stringify({ ...body, amountMinor: 12.5 })))).toMatchObject({ field: 'amountMinor' });
    expect(parsePaymentSucceeded(Buffer.from(JSON.stringify({ ...body, currency: 7 })))).toMatchObject({ field: 'currency' });
  });

  it('only payment-intent may tell it; a bad body is 400; a good one completes the session as the event would', async () => {
    const { calls, lifecycle } = recordingLifecycle();
    const [route] = paymentSucceededRoutes(lifecycle, logger);
    expect(route!.path).toBe('/checkout-payments/succeeded');
    for (const p of [
      { kind: 'SERVICE', service: 'gateway' },
      { kind: 'MERCHANT', keyId: 'k', merchantId: 'm' },
      { kind: 'ADMIN', keyId: 'k' },
    ] as Principal[]) {
      expect((await route!.handle(request(p, body))).status).toBe(403);
    }
    const pi: Principal = { kind: 'SERVICE', service: 'payment-intent' };
    expect(await route!.handle(request(pi, { ...body, amountMinor: -1 }))).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'amountMinor' } });
    expect(calls).toEqual([]);
    expect(await route!.handle(request(pi, body))).toEqual({ status: 200, body: { outcome: 'completed' } });
    expect(calls).toEqual([{ paymentIntent: { id: 'pi_1', status: 'SUCCEEDED', checkoutSessionId: 'cs_1', amountMinor: 5000, currency: 'GBP' } }]);
  });

  it('a failure to record is 503 (the event will complete the session), never a 500', async () => {
    const lifecycle = { completeFromPayment: async () => Promise.reject(new Error('database gone')) } as unknown as CheckoutLifecycleService;
    const [route] = paymentSucceededRoutes(lifecycle, logger);
    expect(await route!.handle(request({ kind: 'SERVICE', service: 'payment-intent' }, body))).toMatchObject({ status: 503, body: { code: 'SERVICE_UNAVAILABLE' } });
  });
});
