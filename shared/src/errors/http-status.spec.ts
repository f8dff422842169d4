import { describe, expect, it } from 'vitest';
import { ErrorCode } from './codes.js';
import { REST_HTTP_STATUS, restHttpStatus } from './http-status.js';

describe('REST HTTP statuses', () => {
  it('give every stable code a status, and only INTERNAL_SERVER_ERROR a 500', () => {
    for (const code of Object.values(ErrorCode)) {
      const status = restHttpStatus(code);
      expect(status, code).toBeGreaterThanOrEqual(400);
      if (code !== ErrorCode.INTERNAL_SERVER_ERROR) expect(status, code).not.toBe(500);
    }
    expect(Object.keys(REST_HTTP_STATUS).sort()).toEqual(Object.values(ErrorCode).sort());
  });

  it('answers a concurrent use of an idempotency key 409 (retry), as Stripe does', () => {
    expect(restHttpStatus('IDEMPOTENCY_KEY_IN_USE')).toBe(409);
  });

  it('answers an unknown or missing code 500, and does not read inherited properties', () => {
    expect(restHttpStatus('NOPE')).toBe(500);
    expect(restHttpStatus(undefined)).toBe(500);
    expect(restHttpStatus('toString')).toBe(500);
  });
});
