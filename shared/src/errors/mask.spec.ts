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

describe('infrastructure failures', () => {
  it('are SERVICE_UNAVAILABLE (retryable), not "Unexpected error.", and carry no detail', () => {
    const cases: unknown[] = [
      new Error('timeout exceeded when trying to connect'),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      { message: 'wrapped', originalError: Object.assign(new Error('x'), { code: '08006' }) },
      // A subgraph call past the gateway's deadline (SUBGRAPH_TIMEOUT_MS), as Apollo wraps it.
      { message: 'subgraph call timed out after 10000 ms', originalError: Object.assign(new Error('subgraph call timed out after 10000 ms'), { name: 'SubgraphFetchError', kind: 'timeout' }) },
    ];
    for (const original of cases) {
      const out = maskFormattedError({ message: 'db detail', extensions: { code: 'INTERNAL_SERVER_ERROR' } }, original);
      expect(out).toEqual({ message: 'Service temporarily unavailable; retry shortly.', extensions: { code: 'SERVICE_UNAVAILABLE' } });
    }
  });

  it('leave real bugs masked as unexpected', () => {
    const out = maskFormattedError({ message: 'x', extensions: { code: 'INTERNAL_SERVER_ERROR' } }, new TypeError('undefined is not a function'));
    expect(out.message).toBe('Unexpected error.');
  });
});

describe('retryWhileUnavailable', () => {
  it('retries outages until the dependency answers, and rethrows anything else at once', async () => {
    const { retryWhileUnavailable } = await import('../http/main.js');
    const logger = { warn: vi.fn() } as never;
    let calls = 0;
    const value = await retryWhileUnavailable(
      async () => {
        calls += 1;
        if (calls < 3) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        return 'up';
      },
      logger,
      'test',
      5,
    );
    expect(value).toBe('up');
    expect(calls).toBe(3);
    await expect(retryWhileUnavailable(async () => { throw new TypeError('bug'); }, logger, 'test', 5)).rejects.toThrow('bug');
  });
});
