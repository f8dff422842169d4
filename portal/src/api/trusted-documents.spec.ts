// The trusted-documents manifest (`npm run trusted-documents`, portal/scripts/trusted-documents.mjs)
// holds the exact text the portal's urql client sends: checked here against the client itself.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildManifest, portalOperationText, sha256 } from '../../scripts/trusted-documents.mjs';
import { PortalCheckoutSessionDocument, PortalConversionsDocument, PortalSetTaxConfigDocument } from '../generated/graphql';
import { createGraphqlClient } from './graphql-client';

afterEach(() => vi.unstubAllGlobals());

describe('the trusted-documents manifest', () => {
  it("has the text the portal's client sends for a query and a mutation, under its sha256", async () => {
    const sent: string[] = [];
    vi.stubGlobal('fetch', async (_input: unknown, init: { body: string }) => {
      sent.push((JSON.parse(init.body) as { query: string }).query);
      return new Response(JSON.stringify({ data: null }), { headers: { 'content-type': 'application/json' } });
    });
    const client = createGraphqlClient(() => undefined);
    await client.query(PortalCheckoutSessionDocument, { id: 'cs_1' }).toPromise();
    await client.query(PortalConversionsDocument, { first: 10 } as never).toPromise();
    await client.mutation(PortalSetTaxConfigDocument, { merchantId: 'm', input: {} } as never).toPromise();
    expect(sent).toHaveLength(3);
    expect(sent).toEqual([portalOperationText(PortalCheckoutSessionDocument), portalOperationText(PortalConversionsDocument), portalOperationText(PortalSetTaxConfigDocument)]);
    expect(sent[0]).toMatch(/__typename/); // urql's cache adds it: the manifest must too

    const manifest = buildManifest();
    expect(manifest.format).toBe('apollo-persisted-query-manifest');
    const byId = new Map(manifest.operations.map((op) => [op.id, op]));
    for (const text of sent) expect(byId.get(sha256(text))?.body).toBe(text);
    expect(byId.get(sha256(sent[2]!))).toMatchObject({ name: 'PortalSetTaxConfig', type: 'mutation' });
    // The end-to-end tests' operations are there too (graphql-js print, as test/support/client.ts sends).
    expect(manifest.operations.some((op) => op.name === 'AgentCheckoutSession')).toBe(true);
  });
});
