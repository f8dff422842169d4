import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, SecretDecryptionError } from './crypto.js';

const key = randomBytes(32);
const aad = 'merchant:01ABC:secret_key';
const secret = 'sk_test_51Habcdefghijklmnop';

describe('encryptSecret / decryptSecret', () => {
  it('round-trips', () => {
    const stored = encryptSecret(key, secret, aad);
    expect(decryptSecret(key, stored, aad)).toBe(secret);
  });

  it('never contains the plaintext and uses a fresh IV for every value', () => {
    const a = encryptSecret(key, secret, aad);
    const b = encryptSecret(key, secret, aad);
    expect(a).not.toContain(secret);
    expect(a).not.toBe(b);
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
  });

  it('refuses another key', () => {
    const stored = encryptSecret(key, secret, aad);
    expect(() => decryptSecret(randomBytes(32), stored, aad)).toThrow(SecretDecryptionError);
  });

  it('refuses other associated data (a value moved to another row or column)', () => {
    const stored = encryptSecret(key, secret, aad);
    expect(() => decryptSecret(key, stored, 'merchant:01XYZ:secret_key')).toThrow(SecretDecryptionError);
  });

  it('refuses a tampered ciphertext or tag', () => {
    const [v, iv, tag, ct] = encryptSecret(key, secret, aad).split('.') as [string, string, string, string];
    const flip = (b64: string) => {
      const buf = Buffer.from(b64, 'base64url');
      buf[0]! ^= 1;
      return buf.toString('base64url');
    };
    expect(() => decryptSecret(key, [v, iv, tag, flip(ct)].join('.'), aad)).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(key, [v, iv, flip(tag), ct].join('.'), aad)).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(key, [v, flip(iv), tag, ct].join('.'), aad)).toThrow(SecretDecryptionError);
  });

  it('refuses malformed values', () => {
    expect(() => decryptSecret(key, secret, aad)).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(key, 'v2.a.b.c', aad)).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(key, 'v1.AAAA.AAAA.AAAA', aad)).toThrow(SecretDecryptionError);
  });

  it('needs a 32-byte key', () => {
    expect(() => encryptSecret(randomBytes(16), secret, aad)).toThrow(/32 bytes/);
  });

  it('handles empty and non-ASCII secrets', () => {
    for (const s of ['', 'whsec_ünïcødé_🔑']) expect(decryptSecret(key, encryptSecret(key, s, aad), aad)).toBe(s);
  });
});
