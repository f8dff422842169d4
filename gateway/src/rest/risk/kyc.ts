// POST /v1/checkout/sessions/:id/kyc/start → startCheckoutKyc: the session's identity
// verification at the KYC provider, `{ kyc_id, status, verification_url, … }` (201 when it was
// started now is not distinguished: an open one is answered as it is, 200).
import type { Express } from 'express';
import type { GatewayRouteDeps } from '../../route-deps.js';
import type { ObjectShape } from '../rest-input.js';
import { bodyOf, graph, mountRoute, restField, SESSIONS } from '../checkout-service/route-kit.js';
import { KYC_FIELDS, kycJson, type KycJson } from './risk-json.js';

const START = `mutation RestStartCheckoutKyc($id: ID!) { startCheckoutKyc(checkoutSessionId: $id) { ${KYC_FIELDS} } }`;
const EMPTY: ObjectShape = { kind: 'object', fields: {} };

export function mountKycRoutes(app: Express, deps: GatewayRouteDeps): void {
  mountRoute(app, deps, 'post', `${SESSIONS}/:id/kyc/start`, async (call) => {
    if (!bodyOf(call, EMPTY)) return;
    const data = await graph<{ startCheckoutKyc: KycJson }>(call, START, { id: call.id }, { mutation: true, rename: restField });
    if (data) call.res.json(kycJson(data.startCheckoutKyc));
  });
}
