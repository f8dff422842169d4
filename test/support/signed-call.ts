// Calls a subgraph over HTTP as the gateway does: the principal in a header, signed with the
// internal secret over the exact body string sent. `principal: null` sends an unsigned call.
import { randomUUID } from 'node:crypto';
import {
  encodePrincipal,
  PRINCIPAL_HEADER,
  REQUEST_ID_HEADER,
  SIGNATURE_HEADER,
  signRequest,
  type Principal,
} from '@handoff/shared';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export function signedCaller(url: string, secret: string) {
  return async function call<T = Record<string, any>>(
    principal: Principal | null,
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<GraphQLResponse<T>> {
    const body = JSON.stringify({ query, variables });
    const requestId = `test-${randomUUID()}`;
    const headers: Record<string, string> = { 'content-type': 'application/json', [REQUEST_ID_HEADER]: requestId };
    if (principal) {
      const principalB64 = encodePrincipal(principal);
      headers[PRINCIPAL_HEADER] = principalB64;
      headers[SIGNATURE_HEADER] = signRequest({ secret, principalB64, requestId, body });
    }
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body });
    const json = (await res.json()) as { data?: T | null; errors?: GraphQLResponse['errors'] };
    return { status: res.status, ...json };
  };
}
