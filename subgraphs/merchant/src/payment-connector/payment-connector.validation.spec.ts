import { HandoffError } from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { badField } from '../../../../test/support/errors.js';
import { validateConnectInput } from './payment-connector.validation.js';
import { PaymentProvider } from './payment-provider.js';

describe('validateConnectInput', () => {
  it('generates a fresh whsec_ secret for TEST', () => {
    const a = validateConnectInput({ provider: PaymentProvider.TEST });
    const b = validateConnectInput({ provider: PaymentProvider.TEST });
    expect(a).toMatchObject({ provider: 'TEST', secretKey: null, webhookSecretGenerated: true });
    expect(a.webhookSecret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(a.webhookSecret).not.toBe(b.webhookSecret);
  });

  it('refuses secrets for TEST', () => {
    expect(badField(() => validateConnectInput({ provider: 'TEST', secretKey: 'sk_test_abcdefghijkl' }))).toBe('input.secretKey');
    expect(badField(() => validateConnectInput({ provider: 'TEST', webhookSecret: 'whsec_abcdefghijklmnopqrst' }))).toBe(
      'input.webhookSecret',
    );
  });

  it.each(['sk_test_51Habcdefghijkl', 'sk_live_51Habcdefghijkl', 'rk_test_51Habcdefghijkl', 'rk_live_51Habcdefghijkl'])(
    'accepts the Stripe key %s',
    (secretKey) => {
      expect(validateConnectInput({ provider: 'STRIPE', secretKey })).toEqual({
        provider: 'STRIPE',
        secretKey,
        webhookSecret: null,
        publishableKey: null,
        webhookSecretGenerated: false,
      });
    },
  );

  it('keeps a given Stripe webhook secret', () => {
    const r = validateConnectInput({ provider: 'STRIPE', secretKey: 'sk_test_51Habcdefghijkl', webhookSecret: 'whsec_0123456789abcdefABCDEF' });
    expect(r.webhookSecret).toBe('whsec_0123456789abcdefABCDEF');
  });

  it.each([undefined, null, '', 'pk_test_51Habcdefghijkl', 'sk_test_short', 'sk_prod_51Habcdefghijkl', 'sk_test_51Habc defghijkl'])(
    'refuses the Stripe key %j',
    (secretKey) => {
      expect(badField(() => validateConnectInput({ provider: 'STRIPE', secretKey }))).toBe('input.secretKey');
    },
  );

  it('refuses a malformed Stripe webhook secret without quoting it', () => {
    try {
      validateConnectInput({ provider: 'STRIPE', secretKey: 'sk_test_51Habcdefghijkl', webhookSecret: 'secret-value-123' });
      expect.unreachable();
    } catch (error) {
      expect((error as HandoffError).extensions.field).toBe('input.webhookSecret');
      expect((error as HandoffError).message).not.toContain('secret-value-123');
    }
  });

  it('refuses unknown providers', () => {
    expect(badField(() => validateConnectInput({ provider: 'PAYPAL' }))).toBe('input.provider');
  });

  it('keeps a Stripe publishable key of the secret key\'s mode', () => {
    expect(validateConnectInput({ provider: 'STRIPE', secretKey: 'sk_live_51Habcdefghijkl', publishableKey: 'pk_live_51Habcdefghijkl' }).publishableKey).toBe('pk_live_51Habcdefghijkl');
    expect(validateConnectInput({ provider: 'STRIPE', secretKey: 'rk_test_51Habcdefghijkl', publishableKey: 'pk_test_51Habcdefghijkl' }).publishableKey).toBe('pk_test_51Habcdefghijkl');
    expect(validateConnectInput({ provider: 'STRIPE', secretKey: 'sk_test_51Habcdefghijkl' }).publishableKey).toBeNull();
  });

  it.each([
    ['sk_live_51Habcdefghijkl', 'pk_test_51Habcdefghijkl'],
    ['sk_test_51Habcdefghijkl', 'pk_live_51Habcdefghijkl'],
    ['sk_test_51Habcdefghijkl', 'sk_test_51Habcdefghijkl'],
    ['sk_test_51Habcdefghijkl', 'pk_test_short'],
    ['sk_test_51Habcdefghijkl', ''],
  ])('refuses the publishable key %j / %j (another mode, or not one)', (secretKey, publishableKey) => {
    expect(badField(() => validateConnectInput({ provider: 'STRIPE', secretKey, publishableKey }))).toBe('input.publishableKey');
  });

  it('refuses a publishable key for the TEST provider', () => {
    expect(badField(() => validateConnectInput({ provider: 'TEST', publishableKey: 'pk_test_51Habcdefghijkl' }))).toBe('input.publishableKey');
  });
});
