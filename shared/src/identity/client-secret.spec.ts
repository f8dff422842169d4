import { describe, expect, it } from 'vitest';
import { clientSecretFor, verifyClientSecret } from './client-secret.js';

const secret = 's'.repeat(40);

describe('client secrets', () => {
  it('bind to one checkout session', () => {
    const cs = clientSecretFor('cs_01ABC', secret);
    expect(verifyClientSecret(cs, secret)).toBe('cs_01ABC');
    expect(verifyClientSecret(clientSecretFor('cs_OTHER', secret).replace('cs_OTHER', 'cs_01ABC'), secret)).toBeUndefined();
  });

  it('fail under another internal secret, when altered, or malformed', () => {
    const cs = clientSecretFor('cs_01ABC', secret);
    expect(verifyClientSecret(cs, 't'.repeat(40))).toBeUndefined();
    expect(verifyClientSecret(cs.slice(0, -1) + (cs.endsWith('A') ? 'B' : 'A'), secret)).toBeUndefined();
    for (const bad of ['', '_secret_', 'cs_01ABC', 'x'.repeat(300), "cs_'--_secret_abc"]) expect(verifyClientSecret(bad, secret)).toBeUndefined();
  });
});
