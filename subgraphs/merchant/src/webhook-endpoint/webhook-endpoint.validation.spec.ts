import { ErrorCode, HandoffError, WEBHOOK_EVENT_TYPES } from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { allowPrivateUrls } from '../config.js';
import { assertResolvesPublic, ownSecret, validateCreateEndpoint, validateUpdateEndpoint, webhookEvents, webhookUrl } from './webhook-endpoint.validation.js';

function failure(fn: () => unknown): { code: unknown; field: unknown; message: string } {
  try {
    fn();
  } catch (err) {
    const e = err as HandoffError;
    return { code: e.extensions.code, field: e.extensions.field, message: e.message };
  }
  throw new Error('expected a failure');
}

describe('webhook endpoint URL', () => {
  it('takes https, normalized; http only where private URLs are allowed', () => {
    expect(webhookUrl(' https://Shop.Example/hooks?x=1 ', 'url', false)).toBe('https://shop.example/hooks?x=1');
    expect(failure(() => webhookUrl('http://shop.example/hooks', 'url', false))).toMatchObject({ code: ErrorCode.BAD_USER_INPUT, field: 'url' });
    expect(webhookUrl('http://127.0.0.1:8080/h', 'url', true)).toBe('http://127.0.0.1:8080/h');
  });

  it('refuses credentials, fragments, other schemes, garbage and over 2048 characters', () => {
    for (const bad of ['https://user:pw@shop.example/h', 'https://shop.example/h#x', 'ftp://shop.example/h', 'not a url', '', `https://shop.example/${'a'.repeat(2040)}`]) {
      expect(failure(() => webhookUrl(bad, 'input.url', true)), bad).toMatchObject({ code: ErrorCode.BAD_USER_INPUT, field: 'input.url' });
    }
  });

  it('refuses private, loopback and link-local hosts with WEBHOOK_URL_NOT_ALLOWED unless allowed', () => {
    for (const host of ['127.0.0.1', 'localhost', 'api.localhost', '[::1]', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '[fe80::1]', '[::ffff:127.0.0.1]', '0.0.0.0', '100.64.0.1']) {
      expect(failure(() => webhookUrl(`https://${host}/h`, 'input.url', false)).code, host).toBe(ErrorCode.WEBHOOK_URL_NOT_ALLOWED);
      expect(webhookUrl(`https://${host}/h`, 'input.url', true)).toMatch(/^https:/);
    }
  });

  it('refuses a name resolving to a private address; accepts a public one or one that does not resolve now', async () => {
    const resolve = async (host: string) => ({ 'a.example': ['93.184.216.34'], 'b.example': ['93.184.216.34', '192.168.0.7'] })[host] ?? Promise.reject(new Error('ENOTFOUND'));
    await expect(assertResolvesPublic('https://a.example/h', 'url', false, resolve)).resolves.toBeUndefined();
    await expect(assertResolvesPublic('https://c.example/h', 'url', false, resolve)).resolves.toBeUndefined();
    const err = (await assertResolvesPublic('https://b.example/h', 'url', false, resolve).catch((e: unknown) => e)) as HandoffError;
    expect(err.extensions).toMatchObject({ code: ErrorCode.WEBHOOK_URL_NOT_ALLOWED, field: 'url', reason: 'webhook_url:not_public' });
    expect(err.message).toContain('192.168.0.7');
    await expect(assertResolvesPublic('https://b.example/h', 'url', true, resolve)).resolves.toBeUndefined();
  });

  it('WEBHOOK_ALLOW_PRIVATE_URLS defaults to true only under development and test', () => {
    expect(allowPrivateUrls(undefined, 'production')).toBe(false);
    expect(allowPrivateUrls(undefined, 'development')).toBe(true);
    expect(allowPrivateUrls(undefined, 'test')).toBe(true);
    expect(allowPrivateUrls('false', 'test')).toBe(false);
    expect(allowPrivateUrls('true', 'production')).toBe(true);
  });
});

describe('event filter', () => {
  it('takes known types or *, drops duplicates, and * stands alone', () => {
    expect(webhookEvents(['payment.succeeded', 'checkout.completed', 'payment.succeeded'], 'events')).toEqual(['payment.succeeded', 'checkout.completed']);
    expect(webhookEvents(['payment.succeeded', '*'], 'events')).toEqual(['*']);
    expect(webhookEvents([...WEBHOOK_EVENT_TYPES], 'events')).toHaveLength(WEBHOOK_EVENT_TYPES.length);
  });

  it('names an unknown type and its index', () => {
    const f = failure(() => webhookEvents(['payment.succeeded', 'payment.teleported'], 'input.events'));
    expect(f).toMatchObject({ code: ErrorCode.BAD_USER_INPUT, field: 'input.events[1]' });
    expect(f.message).toContain('"payment.teleported" is not an event type');
    expect(failure(() => webhookEvents([], 'input.events')).field).toBe('input.events');
    expect(failure(() => webhookEvents(['Payment.Succeeded'], 'input.events')).field).toBe('input.events[0]');
  });
});

describe('create and update input', () => {
  it('a secret of its own: 32 to 256 printable characters, never quoted back', () => {
    expect(ownSecret('s'.repeat(32), 'secret')).toBe('s'.repeat(32));
    for (const bad of ['short', 'has space '.repeat(4), 'x'.repeat(257)]) {
      const f = failure(() => ownSecret(bad, 'input.secret'));
      expect(f.field).toBe('input.secret');
      expect(f.message).not.toContain(bad);
    }
  });

  it('defaults enabled, keeps what update leaves out, clears a description with null', () => {
    expect(validateCreateEndpoint({ url: 'https://shop.example/h', events: ['*'] }, false)).toEqual({
      url: 'https://shop.example/h',
      events: ['*'],
      description: null,
      enabled: true,
      secret: null,
    });
    expect(validateUpdateEndpoint({ enabled: false }, false)).toEqual({ enabled: false });
    expect(validateUpdateEndpoint({ description: null, url: null, events: null }, false)).toEqual({ description: null });
    expect(failure(() => validateCreateEndpoint({ url: 'https://shop.example/h', events: ['*'], description: 'a\u202Eb' }, false)).field).toBe('input.description');
  });
});
