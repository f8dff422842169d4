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

describe("a standalone payment intent's client secret", () => {
  it('binds to one intent and is never a session secret (nor the other way round)', async () => {
    const { intentClientSecretFor, verifyIntentClientSecret } = await import('./client-secret.js');
    const s = intentClientSecretFor('01INTENT', secret);
    expect(s.startsWith('pi_01INTENT_secret_')).toBe(true);
    expect(verifyIntentClientSecret(s, secret)).toBe('01INTENT');
    expect(verifyClientSecret(s, secret)).toBeUndefined();
    expect(verifyIntentClientSecret(clientSecretFor('pi_01INTENT', secret), secret)).toBeUndefined();
    expect(verifyIntentClientSecret(s, 't'.repeat(40))).toBeUndefined();
    expect(verifyIntentClientSecret(intentClientSecretFor('01OTHER', secret).replace('01OTHER', '01INTENT'), secret)).toBeUndefined();
    for (const bad of ['', 'pi_', 'pi__secret_x', 'pi_a:b_secret_x', 'x'.repeat(300)]) expect(verifyIntentClientSecret(bad, secret)).toBeUndefined();
  });
});
