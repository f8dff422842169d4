// The demo merchant's portal owner for `npm start` (docs/portal-auth.md): made through the public
// paths (an admin's inviteMerchantUser, then the invitation link accepted with a generated
// password), kept in .data/demo.json and checked by a login on every start, so the banner prints
// the same email and password after a restart. If the saved password no longer signs in (or the
// file is gone while the user exists), a fresh owner is made and printed.
import { randomBytes } from 'node:crypto';
import { graphqlOrThrow, graphqlRequest } from './graphql-client.js';

export interface DemoPortalOwner {
  email: string;
  password: string;
}

const INVITE = `mutation($input: InviteMerchantUserInput!) { inviteMerchantUser(input: $input) { acceptUrl } }`;

async function post(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export async function ensureDemoPortalOwner(graphqlUrl: string, adminKey: string, merchantId: string, saved?: DemoPortalOwner): Promise<DemoPortalOwner> {
  const base = graphqlUrl.replace(/\/graphql$/, '');
  if (saved?.email && saved.password) {
    const login = await post(`${base}/portal/api/login`, { email: saved.email, password: saved.password });
    if (login.status === 200) return saved;
  }
  const password = randomBytes(12).toString('base64url');
  for (let n = 0; n < 20; n++) {
    const email = n === 0 ? 'owner@demo.handoff.dev' : `owner-${n + 1}@demo.handoff.dev`;
    const invited = await graphqlRequest<{ inviteMerchantUser: { acceptUrl: string } }>(graphqlUrl, INVITE, { input: { email, role: 'OWNER', merchantId } }, { key: adminKey });
    if (invited.errors?.some((e) => e.extensions?.code === 'MERCHANT_USER_EXISTS')) continue;
    if (!invited.data?.inviteMerchantUser) await graphqlOrThrow(graphqlUrl, INVITE, { input: { email, role: 'OWNER', merchantId } }, { key: adminKey });
    const token = new URL(invited.data!.inviteMerchantUser.acceptUrl).pathname.split('/').pop()!;
    const accepted = await post(`${base}/portal/api/invitations/${token}/accept`, { name: 'Demo Owner', password });
    if (accepted.status !== 200) throw new Error(`demo portal owner: accepting the invitation answered ${accepted.status} ${JSON.stringify(accepted.body)}`);
    return { email, password };
  }
  throw new Error('demo portal owner: no free demo email left');
}
