import { describe, expect, it } from 'vitest';
import { badField } from '../../../../test/support/errors.js';
import { isKeyHash, validateCreateApiKey } from './api-key.validation.js';

describe('validateCreateApiKey', () => {
  it('MERCHANT needs a merchant and no agent', () => {
    expect(validateCreateApiKey({ role: 'MERCHANT', merchantId: 'm1', name: ' portal ' })).toEqual({
      role: 'MERCHANT',
      merchantId: 'm1',
      agentId: null,
      name: 'portal',
    });
    expect(badField(() => validateCreateApiKey({ role: 'MERCHANT' }))).toBe('merchantId');
    expect(badField(() => validateCreateApiKey({ role: 'MERCHANT', merchantId: 'm1', agentId: 'a1' }))).toBe('agentId');
  });
  it('AGENT needs an agent and no merchant', () => {
    expect(validateCreateApiKey({ role: 'AGENT', agentId: 'a1' })).toMatchObject({ role: 'AGENT', agentId: 'a1', merchantId: null });
    expect(badField(() => validateCreateApiKey({ role: 'AGENT' }))).toBe('agentId');
    expect(badField(() => validateCreateApiKey({ role: 'AGENT', agentId: 'a1', merchantId: 'm1' }))).toBe('merchantId');
  });
  it('ADMIN takes neither', () => {
    expect(validateCreateApiKey({ role: 'ADMIN' })).toEqual({ role: 'ADMIN', merchantId: null, agentId: null, name: null });
    expect(badField(() => validateCreateApiKey({ role: 'ADMIN', merchantId: 'm1' }))).toBe('merchantId');
    expect(badField(() => validateCreateApiKey({ role: 'ADMIN', agentId: 'a1' }))).toBe('agentId');
  });
  it('refuses unknown roles', () => {
    expect(badField(() => validateCreateApiKey({ role: 'ROOT' }))).toBe('role');
  });
});

describe('isKeyHash', () => {
  it('accepts lowercase sha256 hex only', () => {
    expect(isKeyHash('a'.repeat(64))).toBe(true);
    expect(isKeyHash('A'.repeat(64))).toBe(false);
    expect(isKeyHash('a'.repeat(63))).toBe(false);
    expect(isKeyHash(undefined)).toBe(false);
  });
});
