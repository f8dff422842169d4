import { describe, expect, it } from 'vitest';
import { ExportLinkSigner } from './checkout-export.link.js';

describe('ExportLinkSigner', () => {
  const signer = new ExportLinkSigner('s'.repeat(32));
  const now = Date.UTC(2026, 4, 1);

  it('signs a link that verifies until it expires', () => {
    const { url, expiresAt } = signer.link('https://pay.example', 'cex_1', 60, now);
    const q = new URL(url).searchParams;
    expect(new URL(url).pathname).toBe('/v1/checkout/exports/cex_1/download');
    expect(expiresAt.getTime()).toBe(now + 60_000);
    expect(signer.check('cex_1', q.get('expires'), q.get('signature'), now)).toBe('ok');
    expect(signer.check('cex_1', q.get('expires'), q.get('signature'), now + 60_000)).toBe('expired');
  });

  it('refuses a changed id, expiry or signature, another secret, and malformed values', () => {
    const q = new URL(signer.link('https://pay.example', 'cex_1', 60, now).url).searchParams;
    const expires = q.get('expires')!;
    const signature = q.get('signature')!;
    expect(signer.check('cex_2', expires, signature, now)).toBe('invalid');
    expect(signer.check('cex_1', String(Number(expires) + 3600), signature, now)).toBe('invalid');
    expect(signer.check('cex_1', expires, `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`, now)).toBe('invalid');
    expect(new ExportLinkSigner('t'.repeat(32)).check('cex_1', expires, signature, now)).toBe('invalid');
    for (const [e, s] of [[undefined, signature], [expires, undefined], ['-1', signature], ['1e9', signature], [expires, 'zz'], [[expires], signature]]) {
      expect(signer.check('cex_1', e, s, now)).toBe('invalid');
    }
  });
});
