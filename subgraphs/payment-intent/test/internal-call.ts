// A signed POST to a subgraph's /internal route, as the gateway's callInternal makes it.
import { randomUUID } from 'node:crypto';
import { encodePrincipal, PRINCIPAL_HEADER, REQUEST_ID_HEADER, SIGNATURE_HEADER, signRequest } from '@handoff/shared';

export async function callInternalTo(baseUrl: string, secret: string, path: string, body: Buffer, headers: Record<string, string> = {}) {
  const requestId = `test-${randomUUID()}`;
  const principalB64 = encodePrincipal({ kind: 'SERVICE', service: 'gateway' });
  const res = await fetch(`${baseUrl}/internal${path}`, {
    method: 'POST',
    headers: { ...headers, [REQUEST_ID_HEADER]: requestId, [PRINCIPAL_HEADER]: principalB64, [SIGNATURE_HEADER]: signRequest({ secret, principalB64, requestId, body }) },
    body,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
