// The context every subgraph resolver receives.
import type { Principal } from '../identity/principal.js';
import type { Logger } from '../logging/logger.js';

export interface SubgraphContext {
  principal: Principal;
  requestId: string;
  logger: Logger;
  /** From the client's `Idempotency-Key` header, forwarded by the gateway for single-mutation requests. */
  idempotencyKey?: string;
}

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** The argument wins over the header; a request gives at most one of them meaning. */
export function idempotencyKeyOf(ctx: SubgraphContext, argument: string | null | undefined): string | undefined {
  return argument ?? ctx.idempotencyKey ?? undefined;
}
