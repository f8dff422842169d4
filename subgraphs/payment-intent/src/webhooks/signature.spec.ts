import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { computeSignature, parseSignatureHeader, signatureHeader, verifySignature } from './signature.js';
import { verifyStripeSignature } from './stripe-signature.js';

const secret = 'whsec_test_secret_aaaaaaaaaaaaaaaaaaaa';
const body = Buffer.from(JSON.stringify({ id: 'evt_1', type: 'payment_intent.succeeded', data: { object: { id: 'pi_1' } } }));
const now = 1_800_000_000_000;
const t = now / 1000;

describe('webhook signature header', () => {
  it('parses t and every v1, ignoring other schemes', () => {
    const a = 'a'.repeat(64);
    const b = 'b'.repeat(64);
    expect(parseSignatureHeader(`t=123,v1=${a},v0=${b},v1=${b}`)).toEqual({ timestamp: 123, v1: [a, b] });
  });

  it('refuses missing, garbage, v0-only or timestamp-less headers', () => {
    for (const h of [undefined, '', 'garbage', 't=abc,v1=' + 'a'.repeat(64), `t=1,v0=${'a'.repeat(64)}`, `v1=${'a'.repeat(64)}`, 't=1,t=2,v1=' + 'a'.repeat(64)]) {
      expect(parseSignatureHeader(h)).toBeNull();
    }
  });
});

describe('webhook signature verification', () => {
  const ok = (header: string, payload = body, nowMs = now) => verifySignature({ payload, header, secret, nowMs });

  it('accepts its own signature', () => {
    expect(ok(signatureHeader(secret, body, t))).toEqual({ ok: true, timestamp: t });
  });

  it('accepts any matching v1 among several (secret rotation)', () => {
    const good = computeSignature(secret, t, body);
    expect(ok(`t=${t},v1=${'0'.repeat(64)},v1=${good}`).ok).toBe(true);
  });

  it('refuses a tampered or re-serialised body', () => {
    const header = signatureHeader(secret, body, t);
    expect(ok(header, Buffer.from(body.toString().replace('pi_1', 'pi_2')))).toEqual({ ok: false, reason: 'no matching signature' });
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 2));
    expect(ok(header, reserialised).ok).toBe(false);
  });

  it("refuses another secret's signature", () => {
    expect(ok(signatureHeader('whsec_other_bbbbbbbbbbbbbbbbbbbbbbbb', body, t)).ok).toBe(false);
  });

  it('holds 300 s of tolerance, in the past and in the future', () => {
    expect(ok(signatureHeader(secret, body, t - 300)).ok).toBe(true);
    expect(ok(signatureHeader(secret, body, t - 301))).toEqual({ ok: false, reason: 'timestamp too old' });
    expect(ok(signatureHeader(secret, body, t + 300)).ok).toBe(true);
    expect(ok(signatureHeader(secret, body, t + 301))).toEqual({ ok: false, reason: 'timestamp in the future' });
  });
});

describe('Stripe signatures, with the SDK', () => {
  const header = (timestamp: number, s = secret) => Stripe.webhooks.generateTestHeaderString({ payload: body.toString(), secret: s, timestamp });

  it("accepts the SDK's signed header", () => {
    expect(verifyStripeSignature(body, header(t), secret, now)).toMatchObject({ ok: true });
  });

  it('refuses stale, future, tampered and foreign signatures', () => {
    expect(verifyStripeSignature(body, header(t - 301), secret, now).ok).toBe(false);
    expect(verifyStripeSignature(body, header(t + 301), secret, now)).toEqual({ ok: false, reason: 'timestamp in the future' });
    expect(verifyStripeSignature(Buffer.from(body.toString() + ' '), header(t), secret, now).ok).toBe(false);
    expect(verifyStripeSignature(body, header(t, 'whsec_other'), secret, now).ok).toBe(false);
    expect(verifyStripeSignature(body, undefined, secret, now).ok).toBe(false);
  });

  it('agrees with our own verifier byte for byte', () => {
    expect(verifySignature({ payload: body, header: header(t), secret, nowMs: now }).ok).toBe(true);
  });
});
