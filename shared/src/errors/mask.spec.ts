import { describe, expect, it, vi } from 'vitest';
import { badUserInput, HandoffError, ErrorCode } from './codes.js';
import { maskFormattedError, UNEXPECTED_MESSAGE } from './mask.js';

describe('error masking', () => {
  it('keeps expected errors with their code and safe extensions only', () => {
    const err = badUserInput('price.currency', 'is not an ISO 4217 code');
    const out = maskFormattedError(
      { message: err.message, path: ['createOffer'], extensions: { ...err.extensions, stacktrace: ['at x'], serviceName: 'merchant' } },
      err,
    );
    expect(out).toEqual({
      message: 'price.currency: is not an ISO 4217 code',
      path: ['createOffer'],
      extensions: { code: 'BAD_USER_INPUT', field: 'price.currency' },
    });
  });

  it('keeps a reason', () => {
    const err = new HandoffError(ErrorCode.PAYMENT_DECLINED, 'Declined.', { reason: 'payment_declined:insufficient_funds' });
    expect(maskFormattedError({ message: err.message, extensions: err.extensions }, err).extensions).toEqual({
      code: 'PAYMENT_DECLINED',
      reason: 'payment_declined:insufficient_funds',
    });
  });

  it('masks unknown errors and logs the detail', () => {
    const logger = { error: vi.fn() };
    const original = new Error('relation "merchant.merchants" does not exist');
    const out = maskFormattedError(
      {
        message: original.message,
        extensions: { code: 'INTERNAL_SERVER_ERROR', response: { url: 'http://127.0.0.1:4001/graphql', body: 'boom' } },
      },
      original,
      logger,
    );
    expect(out).toEqual({ message: UNEXPECTED_MESSAGE, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(JSON.stringify(out)).not.toContain('127.0.0.1');
    expect(logger.error).toHaveBeenCalledOnce();
  });

  it('masks errors with no code, and codes that are not Handoff codes', () => {
    expect(maskFormattedError({ message: 'fetch failed http://10.0.0.1:4002' }, null).message).toBe(UNEXPECTED_MESSAGE);
    expect(maskFormattedError({ message: 'x', extensions: { code: 'DOWNSTREAM_SERVICE_ERROR' } }, null).message).toBe(UNEXPECTED_MESSAGE);
  });

  it('never lets a URL through even in an expected message', () => {
    const out = maskFormattedError({ message: 'bad http://internal:4001/graphql', extensions: { code: 'BAD_USER_INPUT' } }, null);
    expect(out.message).toBe('bad <url>');
  });
});
