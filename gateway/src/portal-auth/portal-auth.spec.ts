import { parse, Kind, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { isPrincipal, type Principal } from '@handoff/shared/identity/principal';
import { PortalAuth } from './portal-auth.js';
import type { MerchantAccountsPort } from './merchant-accounts.port.js';
import { roleRefusal } from './role-policy.js';
import { clearedSessionCookie, CsrfTokens, sessionCookie, sessionCookieOf } from './session-cookie.js';

const TOKEN = `hps_${'a'.repeat(43)}`;

function refusalOf(principal: Principal, text: string) {
  const doc = parse(text);
  const operation = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  return roleRefusal(principal, operation, fragments)?.extensions.code;
}

const user = (role: 'OWNER' | 'DEVELOPER' | 'ANALYST'): Principal => ({ kind: 'MERCHANT', keyId: 'user:u1', merchantId: 'm1', userId: 'u1', userRole: role, portalSessionId: 'ps_1' });

describe('the session cookie', () => {
  it('is read from the Cookie header among others; a malformed value is not a token', () => {
    expect(sessionCookieOf({ cookie: `a=b; handoff_session=${TOKEN}; c=d` })).toBe(TOKEN);
    expect(sessionCookieOf({ cookie: 'handoff_session=<script>' })).toBe('');
    expect(sessionCookieOf({ cookie: 'other=1' })).toBeUndefined();
    expect(sessionCookieOf({})).toBeUndefined();
  });

  it('is HttpOnly, SameSite=Strict, Path=/, Secure only when asked; clearing expires it', () => {
    expect(sessionCookie(TOKEN, false)).toBe(`handoff_session=${TOKEN}; HttpOnly; SameSite=Strict; Path=/`);
    expect(sessionCookie(TOKEN, true)).toMatch(/; Secure$/);
    expect(clearedSessionCookie(false)).toMatch(/^handoff_session=; .*Max-Age=0/);
  });
});

describe('CSRF tokens', () => {
  it('are bound to the session and the secret', () => {
    const csrf = new CsrfTokens('secret-one');
    const token = csrf.tokenFor('ps_1');
    expect(csrf.verify('ps_1', token)).toBe(true);
    expect(csrf.verify('ps_2', token)).toBe(false);
    expect(new CsrfTokens('secret-two').verify('ps_1', token)).toBe(false);
    expect(csrf.verify('ps_1', undefined)).toBe(false);
    expect(csrf.verify('ps_1', `${token}x`)).toBe(false);
    expect(csrf.verify('ps_1', [token])).toBe(true);
  });
});

describe('the role policy', () => {
  it('refuses every mutation of an analyst, even through fragments, and nothing of an API key', () => {
    expect(refusalOf(user('ANALYST'), 'mutation { createOffer(input: {}) { id } }')).toBe('ROLE_FORBIDDEN');
    expect(refusalOf(user('ANALYST'), 'query { viewer { role } }')).toBeUndefined();
    expect(refusalOf(user('ANALYST'), 'subscription { conversionUpdated { id } }')).toBeUndefined();
    expect(refusalOf({ kind: 'MERCHANT', keyId: 'k1', merchantId: 'm1' }, 'mutation { createOffer(input: {}) { id } }')).toBeUndefined();
  });

  it("lets an analyst end its own sessions, and nothing more in the same mutation", () => {
    expect(refusalOf(user('ANALYST'), 'mutation { revokePortalSession(id: "ps_2") }')).toBeUndefined();
    expect(refusalOf(user('ANALYST'), 'mutation { ...F } fragment F on Mutation { revokePortalSession(id: "ps_2") __typename }')).toBeUndefined();
    expect(refusalOf(user('ANALYST'), 'mutation { revokePortalSession(id: "ps_2") createOffer(input: {}) { id } }')).toBe('ROLE_FORBIDDEN');
    expect(refusalOf(user('ANALYST'), 'mutation { revokePortalSession(id: "ps_2") removeMerchantUser(id: "u2") }')).toBe('ROLE_FORBIDDEN');
    expect(refusalOf(user('ANALYST'), 'mutation { __typename }')).toBeUndefined();
  });

  it('keeps user and API key management to owners', () => {
    for (const text of ['query { apiKeys { edges { node { id } } } }', 'query { ...F } fragment F on Query { merchantUsers { id } }', 'query { ... on Query { apiKeys { totalCount } } }', 'mutation { revokeApiKey(id: "k") }', 'query { merchantUserInvitations { id } }', 'mutation { withdrawMerchantUserInvitation(id: "inv") }']) {
      expect(refusalOf(user('DEVELOPER'), text), text).toBe('ROLE_FORBIDDEN');
      expect(refusalOf(user('OWNER'), text), text).toBeUndefined();
    }
    expect(refusalOf(user('DEVELOPER'), 'mutation { createOffer(input: {}) { id } }')).toBeUndefined();
  });
});

describe('principals', () => {
  it('a portal user carries all of userId, userRole and portalSessionId, or none', () => {
    expect(isPrincipal(user('OWNER'))).toBe(true);
    expect(isPrincipal({ kind: 'MERCHANT', keyId: 'k', merchantId: 'm' })).toBe(true);
    expect(isPrincipal({ kind: 'MERCHANT', keyId: 'k', merchantId: 'm', userRole: 'OWNER' })).toBe(false);
    expect(isPrincipal({ ...user('OWNER'), userRole: 'ROOT' })).toBe(false);
  });
});

describe('WebSocket origins', () => {
  const portal = new PortalAuth({} as MerchantAccountsPort, 'secret', ['https://portal.example']);
  it('are the gateway’s own host or a configured one', () => {
    expect(portal.originAllowed({ host: 'localhost:4000', origin: 'http://localhost:4000' })).toBe(true);
    expect(portal.originAllowed({ host: 'localhost:4000', origin: 'https://portal.example' })).toBe(true);
    expect(portal.originAllowed({ host: 'localhost:4000', origin: 'https://evil.example' })).toBe(false);
    expect(portal.originAllowed({ host: 'localhost:4000' })).toBe(false);
  });
});
