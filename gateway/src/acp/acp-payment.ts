// complete's payment and attribution, through the other lanes' GraphQL mutations:
//   payCheckoutWithDelegatedPayment (payment-intent: the delegated token's allowance, the session
//     paid once through its own payment path), then the session is read until it is completed
//     (the payment's success reaches checkout-session through its events);
//   attachCheckoutAttribution (checkout-session: the AAP code verified as on the PSP's webhook;
//     an invalid one never blocks the purchase, so its failure is not the route's).
// A supergraph without either mutation (GRAPHQL_VALIDATION_FAILED): the token is unusable (400
// invalid_payment_token), the attribution is skipped.
import { setTimeout as sleep } from 'node:timers/promises';
import { acpError, fromGraphQL, type AcpAnswer } from './acp-http.js';
import type { AcpAttribution } from './acp-input.js';
import { GraphFailure, derivedKey, graph, readSession, type AcpCall } from './acp-graph.js';

const PAY = `mutation AcpPay($input: PayCheckoutWithDelegatedPaymentInput!) {
  payCheckoutWithDelegatedPayment(input: $input) { paymentIntent { id status } }
}`;
const ATTACH = `mutation AcpAttribution($input: AttachCheckoutAttributionInput!) { attachCheckoutAttribution(input: $input) { status } }`;
const COMPLETION_WAIT_MS = 15_000;
const TOKEN_PARAM = '$.payment_data.instrument.credential.token';

const missingOperation = (err: unknown) => err instanceof GraphFailure && err.error?.extensions?.code === 'GRAPHQL_VALIDATION_FAILED';

/** Pays the session; undefined once paid and completed (or still completing), else the error to answer. */
export async function completeWithDelegatedPayment(call: AcpCall, id: string, token: string): Promise<AcpAnswer | undefined> {
  try {
    await graph(call, PAY, { input: { checkoutSessionId: id, token, ...(call.idempotencyKey ? { idempotencyKey: derivedKey(call.idempotencyKey, 'payCheckoutWithDelegatedPayment', { id, token }) } : {}) } }, true);
  } catch (err) {
    if (missingOperation(err)) return acpError(400, 'invalid_payment_token', 'The delegated payment token cannot be used: this Handoff takes no delegated payments.', TOKEN_PARAM);
    if (!(err instanceof GraphFailure)) throw err;
    const answer = fromGraphQL(err.error);
    if (answer.status < 500 && answer.status !== 404) return { ...answer, body: { ...(answer.body as object), param: TOKEN_PARAM } };
    if (err.error?.extensions?.code === 'DELEGATED_TOKEN_NOT_FOUND') return acpError(400, 'invalid_payment_token', err.error.message, TOKEN_PARAM);
    return answer;
  }
  // The payment succeeded at the PSP; the session completes when its event is processed.
  const until = Date.now() + COMPLETION_WAIT_MS;
  for (let wait = 20; Date.now() < until; wait = Math.min(wait * 2, 250)) {
    const s = await readSession(call, id);
    if (!s || s.acpStatus === 'completed') return undefined;
    await sleep(wait);
  }
  return undefined;
}

export async function attachAttribution(call: AcpCall, id: string, a: AcpAttribution, touchpoint: 'FIRST' | 'LAST'): Promise<void> {
  try {
    await graph(call, ATTACH, { input: { checkoutSessionId: id, provider: a.provider, token: a.token, touchpoint } }, true);
  } catch (err) {
    if (missingOperation(err) || (err instanceof GraphFailure && err.error?.extensions?.code === 'BAD_USER_INPUT')) {
      call.deps.logger.warn({ checkoutSessionId: id, code: err instanceof GraphFailure ? err.error?.extensions?.code : undefined }, 'ACP affiliate_attribution not attached');
      return;
    }
    throw err;
  }
}
