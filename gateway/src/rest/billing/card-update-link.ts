// POST /v1/subscriptions/{id}/card_update_link { expires_in?: seconds } (issue 22; docs/recurring.md
// "Card update link"): a one-time, expiring link to the buyer's card-update page, a thin adapter
// over createCardUpdateLink (a merchant key: its own subscriptions; an admin's: any). Takes an
// Idempotency-Key as every POST: a retry with it answers the same link. Answers
// `{ object: "card_update_link", subscription_id, url, expires_at }` (Unix seconds); refusals
// `{ error, code }`: 404 BILLING_SUBSCRIPTION_NOT_FOUND (unknown, another merchant's, malformed),
// 409 SUBSCRIPTION_ALREADY_CANCELED, 400 bad input naming the field. (A Stripe subscription takes a link too: its page uses Stripe.js.)
import type { Express } from 'express';
import type { GatewayRouteDeps } from '../../route-deps.js';
import { bodyOf, graph, mountRoute } from '../checkout-service/route-kit.js';
import type { ObjectShape } from '../rest-input.js';
import { SUBSCRIPTIONS } from './paths.js';

const CREATE = `mutation RestCreateCardUpdateLink($id: ID!, $expiresInSeconds: Int) { result: createCardUpdateLink(billingSubscriptionId: $id, expiresInSeconds: $expiresInSeconds) { url expiresAt } }`;
const BODY: ObjectShape = { kind: 'object', fields: { expires_in: { kind: 'integer' } } };
const restName = (field: string) => (field === 'expiresInSeconds' ? 'expires_in' : field === 'billingSubscriptionId' ? 'id' : field);

export function mountCardUpdateLinkRoute(app: Express, deps: GatewayRouteDeps): void {
  mountRoute(app, deps, 'post', `${SUBSCRIPTIONS}/:id/card_update_link`, async (call) => {
    const body = bodyOf(call, BODY);
    if (!body) return;
    const data = await graph<{ result: { url: string; expiresAt: string } }>(call, CREATE, { id: call.id, expiresInSeconds: body.expires_in ?? null }, { mutation: true, rename: restName });
    if (!data) return;
    call.res.status(200).json({ object: 'card_update_link', subscription_id: call.id, url: data.result.url, expires_at: Math.floor(Date.parse(data.result.expiresAt) / 1000) });
  });
}
