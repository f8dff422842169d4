// The sandbox's refusals, in Stripe's error vocabulary: an HTTP status, a type
// (`invalid_request_error`, `card_error`, `authentication_error`, `idempotency_error`), a code
// and a message; the HTTP layer answers `{ error: { type, code, message, param? } }`.
export class SandboxError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly code: string,
    message: string,
    readonly param?: string,
    /** More fields of the error object (a card error's decline_code and payment_intent). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}

export const unexpectedState = (message: string) => new SandboxError(400, 'invalid_request_error', 'payment_intent_unexpected_state', message);
export const noSuchPayment = (id: string) => new SandboxError(404, 'invalid_request_error', 'resource_missing', `No such payment: ${id}`, 'id');
export const idempotencyReused = () =>
  new SandboxError(400, 'idempotency_error', 'idempotency_error', 'Idempotency key reused with different parameters.');
export const invalidParameter = (param: string, message: string, code = 'parameter_invalid') => new SandboxError(400, 'invalid_request_error', code, message, param);
