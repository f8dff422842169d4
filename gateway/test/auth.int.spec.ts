// Who is calling, through the real gateway and subgraphs: keys, the bootstrap admin, revocation,
// client-sent identity headers, and subgraphs reached directly without the gateway.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePrincipal, generateApiKey, signRequest, type RunningServer } from '@handoff/shared';
import type { RunningHandoff } from '@handoff/launcher';
import { startTestHandoff } from '../../test/support/handoff.js';
import { bearer, postJson, postRaw } from './support/http.js';

const VIEWER = '{ viewer { role apiKeyId merchant { id } } }';
const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id name } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id role } } }`;
const REVOKE_KEY = `mutation($id: ID!) { revokeApiKey(id: $id) }`;
const merchantInput = (name: string) => ({
  name,
  country: 'GB',
  defaultCurrency: 'GBP',
  commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' } },
  conversionFlow: { type: 'instant_checkout' },
});

let handoff: RunningHandoff;
let url: string;
let merchantId: string;
let merchantKey: string;
let merchantKeyId: string;

async function gql(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return postJson(url, { query, variables }, headers);
}
async function asAdmin<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const r = await gql(query, variables, bearer(handoff.adminKey));
  if (r.status !== 200 || r.json.errors) throw new Error(`admin call failed: ${r.status} ${r.text}`);
  return r.json.data as T;
}

beforeAll(async () => {
  handoff = await startTestHandoff({ workers: false });
  url = handoff.graphqlUrl;
  merchantId = (await asAdmin(CREATE_MERCHANT, { input: merchantInput('Auth Test Ltd') })).createMerchant.id;
  const created = (await asAdmin(CREATE_KEY, { input: { role: 'MERCHANT', merchantId } })).createApiKey;
  merchantKey = created.key;
  merchantKeyId = created.apiKey.id;
});
afterAll(async () => {
  await handoff?.stop();
});

describe('API keys at the gateway', () => {
  it('no key: the anonymous caller may ask for __typename, and is UNAUTHENTICATED for anything else', async () => {
    const typename = await gql('{ __typename }');
    expect(typename.status).toBe(200);
    expect(typename.json).toEqual({ data: { __typename: 'Query' } });
    const viewer = await gql(VIEWER);
    expect(viewer.status).toBe(200);
    expect(viewer.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('the bootstrap admin key is ADMIN "bootstrap"', async () => {
    expect(await asAdmin(VIEWER)).toEqual({ viewer: { role: 'ADMIN', apiKeyId: 'bootstrap', merchant: null } });
  });

  it('a stored key resolves (through the merchant subgraph) to its principal', async () => {
    const r = await gql(VIEWER, {}, bearer(merchantKey));
    expect(r.json).toEqual({ data: { viewer: { role: 'MERCHANT', apiKeyId: merchantKeyId, merchant: { id: merchantId } } } });
  });

  it('an unknown key → 401 UNAUTHENTICATED, nothing executed', async () => {
    const r = await gql(VIEWER, {}, bearer(generateApiKey('MERCHANT').key));
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(r.json).toEqual({ errors: [{ message: 'Missing, unknown or revoked API key.', extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  it('a malformed Authorization header → 401 UNAUTHENTICATED, even for { __typename }', async () => {
    for (const authorization of ['Bearer not-a-key', 'Basic YWRtaW46YWRtaW4=', 'Bearer', `Token ${merchantKey}`]) {
      const r = await gql('{ __typename }', {}, { authorization });
      expect(r.status, authorization).toBe(401);
      expect(r.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(r.json.data).toBeUndefined();
    }
  });

  it('a revoked key → 401 UNAUTHENTICATED within the key cache TTL (2 s)', async () => {
    const { key, apiKey } = (await asAdmin(CREATE_KEY, { input: { role: 'MERCHANT', merchantId } })).createApiKey;
    expect((await gql(VIEWER, {}, bearer(key))).json.data.viewer.role).toBe('MERCHANT');
    expect((await asAdmin(REVOKE_KEY, { id: apiKey.id })).revokeApiKey).toBe(true);
    const revokedAt = Date.now();
    let r = await gql(VIEWER, {}, bearer(key));
    while (r.status !== 401 && Date.now() - revokedAt < 5000) {
      await new Promise((res) => setTimeout(res, 100));
      r = await gql(VIEWER, {}, bearer(key));
    }
    expect(r.status).toBe(401);
    expect(r.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(Date.now() - revokedAt).toBeLessThan(2600);
  });
});

describe('client-sent identity headers', () => {
  const forgedAdmin = encodePrincipal({ kind: 'ADMIN', keyId: 'forged' });
  const forgedHeaders = {
    'x-handoff-principal': forgedAdmin,
    'x-handoff-signature': signRequest({ secret: 'not-the-secret-but-long-enough-000000', principalB64: forgedAdmin, requestId: 'req-forged-1', body: '{}' }),
    'x-request-id': 'req-forged-1',
  };

  it('are ignored for an anonymous caller', async () => {
    const r = await gql(VIEWER, {}, forgedHeaders);
    expect(r.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('do not change a key holder into someone else', async () => {
    const r = await gql(VIEWER, {}, { ...forgedHeaders, ...bearer(merchantKey) });
    expect(r.json.data.viewer).toMatchObject({ role: 'MERCHANT', apiKeyId: merchantKeyId });
  });

  it('the request id is kept (a sane one) and returned', async () => {
    const r = await gql('{ __typename }', {}, { 'x-request-id': 'client-req-0001' });
    expect(r.headers.get('x-request-id')).toBe('client-req-0001');
    const made = await gql('{ __typename }', {}, { 'x-request-id': 'bad id with spaces' });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('Idempotency-Key header', () => {
  const CREATE = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;

  it('is forwarded for a single mutation: the same key twice → one merchant', async () => {
    const key = `idem-${Date.now()}`;
    const headers = { ...bearer(handoff.adminKey), 'idempotency-key': key };
    const a = await gql(CREATE, { input: merchantInput('Idem Header Ltd') }, headers);
    const b = await gql(CREATE, { input: merchantInput('Idem Header Ltd') }, headers);
    expect(a.json.errors).toBeUndefined();
    expect(b.json.data.createMerchant.id).toBe(a.json.data.createMerchant.id);
    const reused = await gql(CREATE, { input: merchantInput('Another Name Ltd') }, headers);
    expect(reused.json.errors[0].extensions.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('is refused when it is not printable ASCII of at most 255 characters', async () => {
    const r = await gql('{ __typename }', {}, { 'idempotency-key': 'x'.repeat(256) });
    expect(r.status).toBe(400);
    expect(r.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });
});

describe('a subgraph reached directly', () => {
  const body = JSON.stringify({ query: '{ viewer { role } }' });
  const admin = encodePrincipal({ kind: 'ADMIN', keyId: 'direct' });
  let merchantUrl: string;
  let secret: string;

  beforeAll(() => {
    merchantUrl = handoff.subgraphs.find((s) => s.name === 'merchant')!.url;
    secret = handoff.env.HANDOFF_INTERNAL_SECRET;
  });

  const signed = (opts: { secret?: string; now?: number; requestId?: string; signedBody?: string } = {}) => {
    const requestId = opts.requestId ?? 'direct-req-0001';
    return {
      'x-handoff-principal': admin,
      'x-request-id': requestId,
      'x-handoff-signature': signRequest({ secret: opts.secret ?? secret, principalB64: admin, requestId, body: opts.signedBody ?? body, now: opts.now }),
    };
  };

  it('with a valid gateway signature answers (the control case)', async () => {
    const r = await postRaw(merchantUrl, body, signed());
    expect(r.status).toBe(200);
    expect(r.json.data.viewer.role).toBe('ADMIN');
  });

  it('unsigned → 401', async () => {
    expect((await postRaw(merchantUrl, body)).status).toBe(401);
    expect((await postRaw(merchantUrl, body, { 'x-handoff-principal': admin })).status).toBe(401);
  });

  it('forged (signed with another secret) → 401', async () => {
    expect((await postRaw(merchantUrl, body, signed({ secret: 'an-attacker-guess-of-the-secret-000000' }))).status).toBe(401);
  });

  it('stale (signed more than 60 s ago) → 401', async () => {
    expect((await postRaw(merchantUrl, body, signed({ now: Date.now() - 61_000 }))).status).toBe(401);
  });

  it('replayed for another body → 401', async () => {
    const headers = signed({ signedBody: JSON.stringify({ query: '{ __typename }' }) });
    expect((await postRaw(merchantUrl, body, headers)).status).toBe(401);
  });

  it('replayed with another request id → 401', async () => {
    const headers = { ...signed(), 'x-request-id': 'direct-req-0002' };
    expect((await postRaw(merchantUrl, body, headers)).status).toBe(401);
  });
});
