// Failures of the infrastructure under a request (PostgreSQL or Redis unreachable, the pool
// exhausted, a connection cut): nothing about the request was wrong and a retry can succeed, so
// clients get SERVICE_UNAVAILABLE rather than "Unexpected error.".

/** PostgreSQL SQLSTATEs meaning "the database is not there right now". */
const TRANSIENT_SQLSTATE = /^(08|57P0[123]|53300|53400)/;
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const TRANSIENT_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'connection is not established',
  'Client has encountered a connection error',
  'the database system is starting up',
  'the database system is shutting down',
  'MaxRetriesPerRequestError',
  'Reached the max retries per request limit',
  "Stream isn't writeable",
];

export function isTransientInfrastructureError(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const e = current as { code?: unknown; message?: unknown; name?: unknown; originalError?: unknown; cause?: unknown; driverError?: unknown };
    if (typeof e.code === 'string' && (TRANSIENT_SQLSTATE.test(e.code) || TRANSIENT_NODE_CODES.has(e.code))) return true;
    if (e.name === 'MaxRetriesPerRequestError') return true;
    // The gateway's call to a subgraph that did not answer in time or could not be reached
    // (gateway/src/subgraph/signing-fetcher.ts): the request was fine; a retry (with the same
    // idempotency key, for a mutation) can succeed.
    if (e.name === 'SubgraphFetchError') return true;
    if (typeof e.message === 'string' && TRANSIENT_MESSAGES.some((m) => (e.message as string).toLowerCase().includes(m.toLowerCase()))) return true;
    current = e.originalError ?? e.driverError ?? e.cause;
  }
  return false;
}
