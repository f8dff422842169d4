// POST /v1/purchase (seed 000, issue 21 item 5): `{ recommendationId, sessionId?, userDetails?,
// delegated_payment_token? }` with an agent key.
//   - link mode (no token): exactly POST /v1/checkout (the same `checkout` operation, so the same
//     session, intent, AAP code and failure table); sessionId defaults to the recommendation's own;
//   - autonomous mode (a delegated payment token, from ACP's delegate_payment): the same checkout,
//     then payCheckoutWithDelegatedPayment pays it within the token's allowance, once (payment-
//     intent's vault); the answer is the checkout with mode "autonomous" and the payment's outcome.
//     ACP's allowance names its checkout session: the agent purchases once without a token (the
//     link's transactionId), delegates for that session, and purchases again with the token (a
//     recommendation has one payable checkout: the same session).
// Failures: seed 000's table (400 recommendationId required, 404 Session / Recommendation not
// found, 410 Session expired, 503 no payment processor, 502 could not create checkout), then the
// delegated payment's own codes (DELEGATED_TOKEN_*, ALLOWANCE_EXCEEDED…) with their statuses.
import type { Express, Request, RequestHandler, Response } from 'express';
import type { GatewayRouteDeps } from '../../route-deps.js';
import { requestIdOf } from '../../http/request-id.js';
import { CHECKOUT, SEED_000_MESSAGES, toSeed000 } from '../checkout.js';
import { checkBody, type ObjectShape } from '../rest-input.js';
import { authenticate, bodyObject, guarded, idempotencyKeyOf, sendError, sendGraphQLError, sendInputProblem } from '../rest-http.js';

const RECOMMENDATION = `query RestPurchaseRecommendation($id: ID!) { recommendation(id: $id) { id session { id } } }`;
const PAY = `mutation RestPurchasePay($input: PayCheckoutWithDelegatedPaymentInput!) {
  payCheckoutWithDelegatedPayment(input: $input) { paymentIntent { id status } }
}`;

const PURCHASE_BODY: ObjectShape = {
  kind: 'object',
  fields: {
    recommendationId: { kind: 'string', required: true, max: 100 },
    sessionId: { kind: 'string', max: 100 },
    userDetails: { kind: 'json-object' },
    delegated_payment_token: { kind: 'string', max: 200 },
  },
};

const MESSAGES: Record<string, string> = { ...SEED_000_MESSAGES, BAD_USER_INPUT: 'recommendationId is required' };

export function mountPurchase(app: Express, deps: GatewayRouteDeps, json: RequestHandler): void {
  app.post('/v1/purchase', json, guarded(deps, 'POST /v1/purchase', async (req: Request, res: Response) => {
    const principal = await authenticate(deps, req, res);
    if (!principal) return;
    const raw: unknown = req.body;
    if (raw !== undefined && !bodyObject(req)) return sendInputProblem(res, { field: 'body', message: 'must be a JSON object.' });
    const body = bodyObject(req) ?? {};
    if (!body.recommendationId) return sendError(res, 400, 'BAD_USER_INPUT', MESSAGES.BAD_USER_INPUT!, { field: 'recommendationId' });
    const problem = checkBody(body, PURCHASE_BODY);
    if (problem) return sendInputProblem(res, problem);
    const call = { principal, requestId: requestIdOf(req) };
    const recommendationId = body.recommendationId as string;
    let sessionId = (body.sessionId as string | undefined) ?? null;
    if (!sessionId) {
      const found = await deps.execute<{ recommendation: { id: string; session: { id: string } } | null }>({ query: RECOMMENDATION, variables: { id: recommendationId }, ...call });
      if (found.errors?.length) return sendGraphQLError(res, found.errors[0], { messages: MESSAGES });
      if (!found.data?.recommendation) return sendError(res, 404, 'RECOMMENDATION_NOT_FOUND', MESSAGES.RECOMMENDATION_NOT_FOUND!);
      sessionId = found.data.recommendation.session.id;
    }
    const key = idempotencyKeyOf(req);
    const checkout = await deps.execute<{ checkout: Parameters<typeof toSeed000>[0] }>({
      query: CHECKOUT,
      variables: { input: { sessionId, recommendationId, userDetails: body.userDetails ?? null }, key: key ? `purchase:${key}` : undefined },
      ...call,
    });
    if (checkout.errors?.length || !checkout.data?.checkout) return sendGraphQLError(res, checkout.errors?.[0], { messages: MESSAGES });
    const link = toSeed000(checkout.data.checkout);
    const token = body.delegated_payment_token as string | undefined;
    if (!token) return void res.status(200).json(link);

    const paid = await deps.execute<{ payCheckoutWithDelegatedPayment: { paymentIntent: { id: string; status: string } } }>({
      query: PAY,
      variables: { input: { checkoutSessionId: link.transactionId, token, ...(key ? { idempotencyKey: `purchase:${key}` } : {}) } },
      ...call,
    });
    if (paid.errors?.length || !paid.data?.payCheckoutWithDelegatedPayment) {
      return sendGraphQLError(res, paid.errors?.[0], { rename: (f) => (f === 'input.token' ? 'delegated_payment_token' : f), withReason: true });
    }
    const payment = paid.data.payCheckoutWithDelegatedPayment.paymentIntent;
    res.status(200).json({ ...link, mode: 'autonomous', status: payment.status.toLowerCase(), payment: { id: payment.id, status: payment.status.toLowerCase() } });
  }));
}
