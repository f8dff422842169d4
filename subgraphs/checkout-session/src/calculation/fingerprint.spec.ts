// The fingerprint and the stored input of a calculation whose configuration is a kept (frozen)
// one: the configuration's texts worked out once give exactly what working them out each time
// gives, the secrets stay out, and a different configuration object is never taken for it.
import { describe, expect, it } from 'vitest';
import { calcInput, pricingConfig } from '../../test/pricing-fixtures.js';
import { canonicalJson, fingerprintOf, redactedInput, redactedInputJson } from './fingerprint.js';
import { createHash } from 'node:crypto';

const deepFreeze = <T>(v: T): T => {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
};
const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const withSecret = (secret: string) => {
  const config = pricingConfig();
  config.providers.tax = { concern: 'TAX', kind: 'HTTP', endpointUrl: 'https://tax.example/x', signingSecret: secret, timeoutMs: 1000, fallback: 'BUILT_IN' };
  return config;
};

describe('fingerprint of a kept configuration', () => {
  it('is the hash of the whole canonical input, call after call, with the secret redacted', () => {
    const config = deepFreeze(withSecret('whsec_kept'));
    for (const customerKey of ['email:a@example.com', 'email:b@example.com', null]) {
      const input = calcInput({ config, customerKey });
      expect(fingerprintOf(input)).toBe(sha(canonicalJson(redactedInput(input))));
      expect(JSON.parse(redactedInputJson(input))).toEqual(JSON.parse(JSON.stringify(redactedInput(input))));
      expect(redactedInputJson(input)).not.toContain('whsec_kept');
    }
    const a = calcInput({ config, customerKey: 'email:a@example.com' });
    const b = calcInput({ config, customerKey: 'email:b@example.com' });
    expect(fingerprintOf(a)).not.toBe(fingerprintOf(b));
  });

  it('agrees with an unfrozen copy and tells two configurations apart', () => {
    const kept = deepFreeze(withSecret('whsec_1'));
    const copy = withSecret('whsec_2');
    expect(fingerprintOf(calcInput({ config: kept }))).toBe(fingerprintOf(calcInput({ config: copy })));
    const other = deepFreeze({ ...withSecret('whsec_1'), merchantId: 'mer_other' });
    expect(fingerprintOf(calcInput({ config: kept }))).not.toBe(fingerprintOf(calcInput({ config: other })));
    expect(redactedInputJson(calcInput({ config: other }))).toContain('mer_other');
  });
});
