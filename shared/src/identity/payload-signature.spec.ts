// The webhook-scheme payload signature: signs "<t>.<raw body>" with the whole secret, verifies
// one of several v1 values within 300 s either way, and refuses tampered bodies or other secrets.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signPayload, verifyPayloadSignature } from './payload-signature.js';

const now = 1_800_000_000_000;

describe('payload signature', () => {
  it('signs as docs/api.md says: HMAC-SHA256(secret, "<t>.<raw body>") in hex', () => {
    const header = signPayload('whsec_abc', '{"a":1}', now);
    const t = Math.floor(now / 1000);
    expect(header).toBe(`t=${t},v1=${createHmac('sha256', 'whsec_abc').update(`${t}.{"a":1}`).digest('hex')}`);
    expect(verifyPayloadSignature('whsec_abc', Buffer.from('{"a":1}'), header, now)).toBe(true);
  });

  it('refuses another body, another secret, a stale or future timestamp, and malformed headers', () => {
    const header = signPayload('whsec_abc', 'body', now);
    expect(verifyPayloadSignature('whsec_abc', 'body!', header, now)).toBe(false);
    expect(verifyPayloadSignature('whsec_other', 'body', header, now)).toBe(false);
    expect(verifyPayloadSignature('whsec_abc', 'body', header, now + 301_000)).toBe(false);
    expect(verifyPayloadSignature('whsec_abc', 'body', header, now - 301_000)).toBe(false);
    expect(verifyPayloadSignature('whsec_abc', 'body', header, now + 299_000)).toBe(true);
    for (const bad of [undefined, '', 't=1', 'v1=abc', 'garbage']) expect(verifyPayloadSignature('whsec_abc', 'body', bad, now)).toBe(false);
  });

  it('accepts a header with several v1 values when one matches (secret rotation)', () => {
    const good = signPayload('whsec_new', 'body', now);
    const old = signPayload('whsec_old', 'body', now).split(',')[1];
    expect(verifyPayloadSignature('whsec_new', 'body', `${good},${old}`, now)).toBe(true);
  });
});
