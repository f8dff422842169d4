// The gateway's port to the merchant subgraph's portal accounts (docs/portal-auth.md): sign-in,
// the session cookie's lookup, logout, the invitation link. @inaccessible operations of the
// merchant subgraph, asked as the `gateway` SERVICE, signed like every subgraph call
// (docs/internal-contracts.md). Synchronous: a portal request cannot be authorized without it.
// Timeout: the gateway's subgraph timeout; when the merchant subgraph is down the call rejects
// (AccountsUnavailableError) and the route answers 503 SERVICE_UNAVAILABLE.
import type { MerchantUserRole } from '@handoff/shared/identity/principal';

export interface PortalUser {
  id: string;
  email: string;
  name: string;
  role: MerchantUserRole;
  merchantId: string;
  merchantName: string;
}

export interface PortalSignIn {
  token: string;
  sessionId: string;
  user: PortalUser;
}

/** An expected refusal of the merchant subgraph's, with its stable code. */
export class AccountsRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AccountsRefusal';
  }
}

export class AccountsUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AccountsUnavailableError';
  }
}

/** POSTs a GraphQL body to the merchant subgraph, signed as the gateway. */
export type MerchantPost = (body: string, requestId?: string) => Promise<{ status: number; body: Buffer }>;

const USER = 'user { id email name role merchantId merchantName }';
const SIGN_IN = `mutation GatewayPortalSignIn($email: String!, $password: String!, $ip: String, $ua: String) { portalSignIn(email: $email, password: $password, ip: $ip, userAgent: $ua) { token sessionId ${USER} } }`;
const LOOKUP = `mutation GatewayPortalSessionLookup($h: String!) { portalSessionLookup(tokenHash: $h) { sessionId ${USER} } }`;
const SIGN_OUT = `mutation GatewayPortalSignOut($h: String!) { portalSignOut(tokenHash: $h) }`;
const INVITATION = `query GatewayPortalInvitation($h: String!) { portalInvitation(tokenHash: $h) { email merchantName role } }`;
const ACCEPT = `mutation GatewayPortalAccept($h: String!, $name: String!, $password: String!, $ip: String, $ua: String) { acceptPortalInvitation(tokenHash: $h, name: $name, password: $password, ip: $ip, userAgent: $ua) { token sessionId ${USER} } }`;

/** Codes a merchant answer may refuse with; anything else is the subgraph failing. */
const EXPECTED = new Set([
  'INVALID_CREDENTIALS', 'TOO_MANY_ATTEMPTS', 'INVITATION_INVALID', 'INVITATION_EXPIRED', 'WEAK_PASSWORD', 'MERCHANT_USER_EXISTS', 'BAD_USER_INPUT',
]);

export class MerchantAccountsPort {
  constructor(private readonly post: MerchantPost) {}

  private async call<T>(query: string, variables: Record<string, unknown>, field: string, requestId?: string): Promise<T> {
    let response;
    try {
      response = await this.post(JSON.stringify({ query, variables }), requestId);
    } catch (err) {
      throw new AccountsUnavailableError('portal accounts: the merchant subgraph did not answer', { cause: err });
    }
    let body: { data?: Record<string, unknown> | null; errors?: Array<{ message?: string; extensions?: Record<string, unknown> }> };
    try {
      body = JSON.parse(response.body.toString('utf8'));
    } catch (err) {
      throw new AccountsUnavailableError(`portal accounts: HTTP ${response.status} without JSON`, { cause: err });
    }
    const error = body.errors?.[0];
    if (error) {
      const code = typeof error.extensions?.code === 'string' ? error.extensions.code : '';
      if (EXPECTED.has(code)) throw new AccountsRefusal(code, error.message ?? code, error.extensions ?? {});
      throw new AccountsUnavailableError(`portal accounts: ${field} failed (HTTP ${response.status}): ${JSON.stringify(body.errors).slice(0, 300)}`);
    }
    if (!body.data || !(field in body.data)) throw new AccountsUnavailableError(`portal accounts: ${field} answered no data`);
    return body.data[field] as T;
  }

  signIn(email: string, password: string, ip: string | null, ua: string | null, requestId?: string): Promise<PortalSignIn> {
    return this.call(SIGN_IN, { email, password, ip, ua }, 'portalSignIn', requestId);
  }

  lookup(tokenHash: string, requestId?: string): Promise<{ sessionId: string; user: PortalUser } | null> {
    return this.call(LOOKUP, { h: tokenHash }, 'portalSessionLookup', requestId);
  }

  signOut(tokenHash: string, requestId?: string): Promise<boolean> {
    return this.call(SIGN_OUT, { h: tokenHash }, 'portalSignOut', requestId);
  }

  invitation(tokenHash: string, requestId?: string): Promise<{ email: string; merchantName: string; role: MerchantUserRole }> {
    return this.call(INVITATION, { h: tokenHash }, 'portalInvitation', requestId);
  }

  accept(tokenHash: string, name: string, password: string, ip: string | null, ua: string | null, requestId?: string): Promise<PortalSignIn> {
    return this.call(ACCEPT, { h: tokenHash, name, password, ip, ua }, 'acceptPortalInvitation', requestId);
  }
}
