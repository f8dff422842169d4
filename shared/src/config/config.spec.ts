import { describe, expect, it } from 'vitest';
import { baseConfigSchema, ConfigError, encryptionKeyFor, internalSecretFor, parseEnv } from './config.js';

describe('config', () => {
  it('applies defaults and freezes the result', () => {
    const c = parseEnv(baseConfigSchema, {});
    expect(c.NODE_ENV).toBe('development');
    expect(c.DATABASE_URL).toMatch(/^postgres:\/\//);
    expect(c.QUEUE_PREFIX).toBe('handoff');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('treats empty strings as unset and coerces numbers', () => {
    const c = parseEnv(baseConfigSchema, { NODE_ENV: '', DB_POOL_SIZE: '25' });
    expect(c.NODE_ENV).toBe('development');
    expect(c.DB_POOL_SIZE).toBe(25);
  });

  it('names every invalid variable', () => {
    try {
      parseEnv(baseConfigSchema, { NODE_ENV: 'staging', DATABASE_URL: 'not a url', QUEUE_PREFIX: 'a:b' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const text = (err as ConfigError).message;
      expect(text).toContain('NODE_ENV');
      expect(text).toContain('DATABASE_URL');
      expect(text).toContain('QUEUE_PREFIX');
    }
  });

  it('requires the internal secret and encryption key in production only', () => {
    const prod = parseEnv(baseConfigSchema, { NODE_ENV: 'production' });
    expect(() => internalSecretFor(prod)).toThrow(ConfigError);
    expect(() => encryptionKeyFor(undefined, 'production')).toThrow(ConfigError);
    const dev = parseEnv(baseConfigSchema, {});
    expect(internalSecretFor(dev).length).toBeGreaterThanOrEqual(32);
    expect(encryptionKeyFor(undefined, 'development')).toHaveLength(32);
  });

  it('accepts a 32-byte encryption key as hex or base64 and rejects other sizes', () => {
    expect(encryptionKeyFor('ab'.repeat(32), 'production')).toHaveLength(32);
    expect(encryptionKeyFor(Buffer.alloc(32, 7).toString('base64'), 'production')).toHaveLength(32);
    expect(() => encryptionKeyFor('c2hvcnQ=', 'production')).toThrow(ConfigError);
  });
});
