// The id the gateway gave a request (x-request-id, set before any route runs; kept from the
// client when sane). The gateway passes it along explicitly — to the subgraphs, the key lookup and
// its log lines — and keeps no AsyncLocalStorage: the promise hooks one enables cost every request
// CPU (bench/RESULTS.md). `gateway/src/module-weight.spec.ts` keeps it that way.
import type { IncomingMessage } from 'node:http';
import type { GatewayRouteDeps } from '../route-deps.js';

const REQUEST_ID = Symbol('handoff.requestId');

type WithRequestId = IncomingMessage & { [REQUEST_ID]?: string };

export function setRequestId(req: IncomingMessage, requestId: string): void {
  (req as WithRequestId)[REQUEST_ID] = requestId;
}

export function requestIdOf(req: IncomingMessage): string | undefined {
  return (req as WithRequestId)[REQUEST_ID];
}

/**
 * `deps` for one request: its operations, key lookups and log lines carry the request's id, for
 * code that passes `deps` down rather than the request (the hosted page's checkout calls).
 */
export function depsForRequest(deps: GatewayRouteDeps, req: IncomingMessage): GatewayRouteDeps {
  const requestId = requestIdOf(req);
  if (requestId === undefined) return deps;
  return {
    ...deps,
    logger: deps.logger.child({ requestId }),
    execute: (op) => deps.execute({ ...op, requestId: op.requestId ?? requestId }),
    authenticate: (authorization, id) => deps.authenticate(authorization, id ?? requestId),
  };
}
