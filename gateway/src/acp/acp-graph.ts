// What every ACP route runs on: the call (the caller's key, the merchant's path, the request's
// idempotency key), a GraphQL operation run as the caller with each mutation under a key derived
// from the request's, and the session read back under this merchant's path. Its own module so the
// routes (acp-routes.ts) and the payment step (acp-payment.ts) share it without importing each other.
import { createHash } from 'node:crypto';
import type { GraphQLFormattedError } from 'graphql';
import type { Principal } from '@handoff/shared/identity/principal';
import type { GatewayRouteDeps } from '../route-deps.js';
import { canonicalJson } from './acp-idempotency.js';
import { SESSION_FIELDS, type SessionJson } from './acp-session.js';

export interface AcpCall {
  deps: GatewayRouteDeps;
  principal: Principal;
  merchantId: string;
  id: string;
  body: unknown;
  idempotencyKey: string | undefined;
  requestId: string | undefined;
  /** This merchant's ACP base URL (…/acp/{merchantId}). */
  baseUrl: string;
}

/** A GraphQL failure, carried to the route's answer. */
export class GraphFailure extends Error {
  constructor(readonly error: GraphQLFormattedError | undefined) {
    super(error?.message ?? 'GraphQL failure');
  }
}

export async function graph<T>(call: AcpCall, query: string, variables: Record<string, unknown>, mutation = false): Promise<T> {
  const result = await call.deps.execute<T>({
    query,
    variables,
    principal: call.principal,
    requestId: call.requestId,
    // Each mutation of the request under its own key derived from the request's (a retry after a
    // 5xx derives the same ones): the subgraph writes each change once.
    ...(mutation && call.idempotencyKey !== undefined ? { idempotencyKey: derivedKey(call.idempotencyKey, query, variables) } : {}),
  });
  if (result.errors?.length || !result.data) throw new GraphFailure(result.errors?.[0]);
  return result.data;
}

export const derivedKey = (key: string, query: string, variables: unknown): string =>
  `acp_${createHash('sha256').update(key).update('\n').update(query).update('\n').update(canonicalJson(variables)).digest('base64url')}`;

const READ = `query AcpSession($id: ID!) { checkoutSession(id: $id) { ${SESSION_FIELDS} } }`;
/** The session when the caller may see it under this merchant's path; 404 otherwise. */
export async function readSession(call: AcpCall, id = call.id): Promise<SessionJson | undefined> {
  const data = await graph<{ checkoutSession: SessionJson | null }>(call, READ, { id });
  const s = data.checkoutSession;
  return s && s.merchant.id === call.merchantId ? s : undefined;
}

