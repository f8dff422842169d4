import type { HandoffError } from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { isNonPublicHost, validateEndpointUrl } from './endpoint-url.js';

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as HandoffError).extensions;
  }
  return undefined;
};

describe('validateEndpointUrl', () => {
  it('keeps a public https URL (normalized)', () => {
    expect(validateEndpointUrl('https://Tax.Example.com/handoff?x=1', 'f', false)).toBe('https://tax.example.com/handoff?x=1');
  });

  it.each([
    'http://tax.example.com/',
    'https://127.0.0.1/',
    'https://localhost:8443/',
    'https://api.localhost/',
    'https://10.1.2.3/',
    'https://172.20.0.1/',
    'https://192.168.1.10/',
    'https://169.254.169.254/latest/meta-data',
    'https://100.64.0.1/',
    'https://0.0.0.0/',
    'https://2130706433/',
    'https://0x7f.1/',
    'https://[::1]/',
    'https://[fd00::1]/',
    'https://[fe80::1]/',
    'https://[::ffff:127.0.0.1]/',
    'https://[::ffff:10.0.0.1]/',
  ])('refuses %s when private URLs are not allowed', (url) => {
    expect(refusal(() => validateEndpointUrl(url, 'input.endpointUrl', false))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.endpointUrl' });
  });

  it.each(['http://127.0.0.1:9/x', 'https://[::1]/', 'http://localhost:4000/tax'])('allows %s where private URLs are allowed', (url) => {
    expect(() => validateEndpointUrl(url, 'f', true)).not.toThrow();
  });

  it.each(['ftp://tax.example.com/', 'javascript:alert(1)', 'https://u:p@tax.example.com/', 'https://tax.example.com/#x', 'nope', '', `https://e.com/${'a'.repeat(2100)}`])(
    'refuses %j everywhere',
    (url) => {
      expect(refusal(() => validateEndpointUrl(url, 'f', true))).toMatchObject({ code: 'BAD_USER_INPUT' });
    },
  );

  it('treats public addresses and names as public', () => {
    for (const host of ['8.8.8.8', 'example.com', '[2606:4700::1111]', '172.32.0.1', '192.169.0.1']) expect(isNonPublicHost(host)).toBe(false);
  });
});
