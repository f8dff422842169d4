// The context every subgraph resolver receives.
import type { Principal } from '../identity/principal.js';
import type { Logger } from '../logging/logger.js';
import { assertIdempotencyKey } from '../idempotency/idempotency.service.js';

export interface SubgraphContext {
  principal: Principal;
  requestId: string;
  logger: Logger;
  /** From the client's `Idempotency-Key` header, forwarded by the gateway for single-mutation requests. */
  idempotencyKey?: string;
}

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** The argument wins over the header; a request gives at most one of them meaning. A malformed or
 *  oversized key is BAD_USER_INPUT here, before the resolver looks anything up. */
export function idempotencyKeyOf(ctx: SubgraphContext, argument: string | null | undefined): string | undefined {
  const key = argument ?? ctx.idempotencyKey ?? undefined;
  if (key !== undefined) assertIdempotencyKey(key);
  return key;
}
