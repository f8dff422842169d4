// The five ACP checkout routes under /acp/{merchantId} (spec 2026-04-17), adapters over the same
// GraphQL operations as every other surface (one checkout engine): createAgentCheckoutSession and
// updateAgentCheckoutSession (each one mutation, priced once), and for what they leave (a refused
// detail, discount codes) setAgentCheckoutLineItems, setCheckoutShippingAddress, setCheckoutCustomer, selectCheckoutShipping,
// applyCheckoutPromotion, calculateCheckout, cancelCheckoutSession; at complete
// prepareAgentCheckoutPayment (the payment intent the create deferred), ACP-PAY's
// payCheckoutWithDelegatedPayment and ACP-ATTR's attachCheckoutAttribution; run as the caller's
// agent key. Every answer is an ACP CheckoutSession or an ACP Error (acp-http.ts).
import { acpError, fromGraphQL, invalid, type AcpAnswer } from './acp-http.js';
import { InputProblem, cancelInput, completeInput, createInput, updateInput, type AcpAttribution, type AcpBuyer, type AcpFulfillment } from './acp-input.js';
import { SESSION_FIELDS, toAcpSession, type SessionJson } from './acp-session.js';
import { completeWithDelegatedPayment, attachAttribution } from './acp-payment.js';
import { GraphFailure, graph, readSession, type AcpCall } from './acp-graph.js';

export type { AcpCall };

const CREATE = `mutation AcpCreate($input: CreateAgentCheckoutSessionInput!) { createAgentCheckoutSession(input: $input) { ${SESSION_FIELDS} } }`;
const SET_LINES = `mutation AcpLines($id: ID!, $lines: [AgentCheckoutLineInput!]!) { setAgentCheckoutLineItems(id: $id, lineItems: $lines) { id } }`;
const SET_ADDRESS = `mutation AcpAddress($id: ID!, $address: CheckoutAddressInput!) { setCheckoutShippingAddress(id: $id, address: $address) { id shippingOptions { id } selectedShipping { id } } }`;
const SET_CUSTOMER = `mutation AcpCustomer($id: ID!, $customer: CheckoutCustomerInput!) { setCheckoutCustomer(id: $id, customer: $customer) { id } }`;
const SELECT = `mutation AcpSelect($id: ID!, $selection: CheckoutShippingSelectionInput!) { selectCheckoutShipping(id: $id, selection: $selection) { id } }`;
const PROMOTION = `mutation AcpPromotion($id: ID!, $code: String!) { applyCheckoutPromotion(id: $id, code: $code) { id } }`;
const UPDATE = `mutation AcpUpdate($id: ID!, $input: UpdateAgentCheckoutSessionInput!) { updateAgentCheckoutSession(id: $id, input: $input) { ${SESSION_FIELDS} } }`;
const PREPARE = `mutation AcpPrepare($id: ID!) { prepareAgentCheckoutPayment(id: $id) { id paymentIntentId } }`;
const CALCULATE = `mutation AcpCalculate($id: ID!) { calculateCheckout(id: $id) { ${SESSION_FIELDS} } }`;
const CANCEL = `mutation AcpCancel($id: ID!) { cancelCheckoutSession(id: $id) { ${SESSION_FIELDS} } }`;

export const notFound = (): AcpAnswer => acpError(404, 'not_found', 'Checkout session not found.');

export function sessionAnswer(call: AcpCall, s: SessionJson, status = 200, extra: { messages?: Array<Record<string, unknown>>; order?: { id: string; permalink_url: string } | null } = {}): AcpAnswer {
  return { status, body: toAcpSession(s, { delegatePaymentUrl: `${call.baseUrl}/agentic_commerce/delegate_payment`, ...extra }) };
}

/** An ended session refuses a change with a clear code. */
export function endedAnswer(s: SessionJson): AcpAnswer | undefined {
  if (s.acpStatus === 'completed') return acpError(409, 'session_completed', `Checkout session ${s.id} is completed: it can no longer change.`);
  if (s.acpStatus === 'canceled') return acpError(409, 'session_canceled', `Checkout session ${s.id} is canceled.`);
  if (s.acpStatus === 'expired') return acpError(409, 'session_expired', `Checkout session ${s.id} has expired.`);
  return undefined;
}

/** Runs a route's work: input problems and GraphQL failures become ACP errors. */
export async function answering(work: () => Promise<AcpAnswer>): Promise<AcpAnswer> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof InputProblem) return err.answer;
    if (err instanceof GraphFailure) return fromGraphQL(err.error);
    throw err;
  }
}

// A detail the graph refused after the session exists: a message on the answer (spec: MessageError
// for a conversational problem with a valid session), the rest still applied.
async function softly(messages: Array<Record<string, unknown>>, param: string, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (!(err instanceof GraphFailure) || err.error?.extensions?.code !== 'BAD_USER_INPUT') throw err;
    messages.push({ type: 'error', code: 'invalid', param, severity: 'high', resolution: 'requires_buyer_input', content_type: 'plain', content: err.error.message });
  }
}

/** Buyer, address (then the first shipping option when none is chosen), selection and codes; in that order. */
async function applyDetails(
  call: AcpCall,
  id: string,
  d: { buyer?: AcpBuyer; fulfillment?: AcpFulfillment; optionId?: string; codes: string[] },
  messages: Array<Record<string, unknown>>,
): Promise<void> {
  const email = d.buyer?.email ?? d.fulfillment?.email;
  const phone = d.buyer?.phone ?? d.fulfillment?.phone;
  if (email || phone) {
    await softly(messages, d.buyer?.email ? '$.buyer.email' : '$.fulfillment_details.email', () =>
      graph(call, SET_CUSTOMER, { id, customer: { ...(email ? { email } : {}), ...(phone ? { phone } : {}) } }, true),
    );
  }
  let firstOption: string | undefined;
  if (d.fulfillment?.address) {
    await softly(messages, '$.fulfillment_details.address', async () => {
      const r = await graph<{ setCheckoutShippingAddress: { shippingOptions: Array<{ id: string }>; selectedShipping: { id: string } | null } }>(
        call, SET_ADDRESS, { id, address: d.fulfillment!.address }, true,
      );
      if (!r.setCheckoutShippingAddress.selectedShipping) firstOption = r.setCheckoutShippingAddress.shippingOptions[0]?.id;
    });
  }
  const option = d.optionId ?? firstOption;
  if (option && option !== 'digital') {
    try {
      await graph(call, SELECT, { id, selection: { shippingOptionId: option } }, true);
    } catch (err) {
      if (d.optionId && err instanceof GraphFailure && err.error?.extensions?.code === 'BAD_USER_INPUT') {
        throw new InputProblem('$.selected_fulfillment_options[0].option_id', `Fulfillment option ${d.optionId} is not offered for this session.`);
      }
      if (d.optionId) throw err;
    }
  }
  for (const code of d.codes) await softly(messages, '$.discounts.codes', () => graph(call, PROMOTION, { id, code }, true));
}

async function calculated(call: AcpCall, id: string): Promise<SessionJson> {
  return (await graph<{ calculateCheckout: SessionJson }>(call, CALCULATE, { id }, true)).calculateCheckout;
}

async function firstTouch(call: AcpCall, id: string, a: AcpAttribution | undefined): Promise<void> {
  if (a) await attachAttribution(call, id, a, 'FIRST');
}

// A buyer detail createAgentCheckoutSession refused (its customer, address or shipping option).
const detailRefused = (err: unknown) =>
  err instanceof GraphFailure && err.error?.extensions?.code === 'BAD_USER_INPUT' && /^(input\.)?(customer|shippingAddress|shippingOptionId)\b/.test(String(err.error.extensions.field ?? ''));

/**
 * One mutation: the session with its buyer and address, the first shipping option selected and
 * priced, in its create transaction. A detail the graph refuses is a message on a session created
 * without it (spec: MessageError on a valid session), as an update would answer it.
 */
export function create(call: AcpCall): Promise<AcpAnswer> {
  return answering(async () => {
    const input = createInput(call.body);
    // Its payment intent when it is paid (complete), not now: the create is the session alone.
    const base = { merchantId: call.merchantId, currency: input.currency, lineItems: input.lines, deferPaymentIntent: true };
    const details = detailsOf(input);
    const messages: Array<Record<string, unknown>> = [];
    let s: SessionJson;
    try {
      s = (await graph<{ createAgentCheckoutSession: SessionJson }>(call, CREATE, { input: { ...base, ...details } }, true)).createAgentCheckoutSession;
    } catch (err) {
      if (Object.keys(details).length === 0 || !detailRefused(err)) throw err;
      s = (await graph<{ createAgentCheckoutSession: SessionJson }>(call, CREATE, { input: base }, true)).createAgentCheckoutSession;
      await applyDetails(call, s.id, { buyer: input.buyer, fulfillment: input.fulfillment, codes: [] }, messages);
      s = await calculated(call, s.id);
    }
    if (input.codes.length > 0) {
      for (const code of input.codes) await softly(messages, '$.discounts.codes', () => graph(call, PROMOTION, { id: s.id, code }, true));
      s = await calculated(call, s.id);
    }
    await firstTouch(call, s.id, input.attribution);
    return sessionAnswer(call, s, 201, { messages });
  });
}

/** The buyer and address of a create or update body as the graph's inputs. */
function detailsOf(input: { buyer?: AcpBuyer; fulfillment?: AcpFulfillment }): Record<string, unknown> {
  const email = input.buyer?.email ?? input.fulfillment?.email;
  const phone = input.buyer?.phone ?? input.fulfillment?.phone;
  return {
    ...(email || phone ? { customer: { ...(email ? { email } : {}), ...(phone ? { phone } : {}) } } : {}),
    ...(input.fulfillment?.address ? { shippingAddress: input.fulfillment.address } : {}),
  };
}

/**
 * One mutation (updateAgentCheckoutSession: lines, buyer, address, option, priced once) after the
 * read that answers 404 or the ended session. A detail the graph refuses is answered as before:
 * the parts applied one by one, the refused one a message (an unoffered option a 400).
 */
export function update(call: AcpCall): Promise<AcpAnswer> {
  return answering(async () => {
    const input = updateInput(call.body);
    const s = await readSession(call);
    if (!s) return notFound();
    const ended = endedAnswer(s);
    if (ended) return ended;
    const messages: Array<Record<string, unknown>> = [];
    const optionId = input.optionId && input.optionId !== 'digital' ? input.optionId : undefined;
    const change = { ...(input.lines ? { lineItems: input.lines } : {}), ...detailsOf(input), ...(optionId ? { shippingOptionId: optionId } : {}) };
    let after: SessionJson;
    try {
      after = (await graph<{ updateAgentCheckoutSession: SessionJson }>(call, UPDATE, { id: s.id, input: change }, true)).updateAgentCheckoutSession;
    } catch (err) {
      if (!detailRefused(err)) throw err;
      if (input.lines) await graph(call, SET_LINES, { id: s.id, lines: input.lines }, true);
      await applyDetails(call, s.id, { ...input, codes: [] }, messages);
      after = await calculated(call, s.id);
    }
    if (input.codes.length > 0) {
      for (const code of input.codes) await softly(messages, '$.discounts.codes', () => graph(call, PROMOTION, { id: s.id, code }, true));
      after = await calculated(call, s.id);
    }
    return sessionAnswer(call, after, 200, { messages });
  });
}

export function retrieve(call: AcpCall): Promise<AcpAnswer> {
  return answering(async () => {
    const s = await readSession(call);
    if (!s) return notFound();
    return sessionAnswer(call, s, 200, s.acpStatus === 'completed' ? { order: orderOf(s) } : {});
  });
}

/** The order of a completed session: Handoff's receipt is the session; its page is the permalink. */
export const orderOf = (s: SessionJson) => ({ id: `ord_${s.id}`, permalink_url: s.url });

export function complete(call: AcpCall): Promise<AcpAnswer> {
  return answering(async () => {
    const input = completeInput(call.body);
    const s = await readSession(call);
    if (!s) return notFound();
    const ended = endedAnswer(s);
    if (ended) return ended;
    if (input.buyer) await graph(call, SET_CUSTOMER, { id: s.id, customer: { email: input.buyer.email, ...(input.buyer.phone ? { phone: input.buyer.phone } : {}) } }, true);
    const ready = s.acpStatus === 'ready_for_payment' && !input.buyer ? s : await calculated(call, s.id);
    if (ready.acpStatus !== 'ready_for_payment') {
      return acpError(400, 'not_ready_for_payment', 'The checkout session is not ready for payment: see its messages (address, fulfillment option, items).', '$.fulfillment_details');
    }
    if (input.attribution) await attachAttribution(call, s.id, input.attribution, 'LAST');
    if (!ready.paymentIntentId) await graph(call, PREPARE, { id: s.id }, true);
    const paid = await completeWithDelegatedPayment(call, s.id, input.token);
    if (paid) return paid;
    const after = await readSession(call, s.id);
    if (!after) return notFound();
    return sessionAnswer(call, after, 200, { order: orderOf(after) });
  });
}

export function cancel(call: AcpCall): Promise<AcpAnswer> {
  return answering(async () => {
    cancelInput(call.body);
    const s = await readSession(call);
    if (!s) return notFound();
    if (s.acpStatus === 'completed' || s.acpStatus === 'canceled') {
      return acpError(405, s.acpStatus === 'completed' ? 'session_completed' : 'session_canceled', `Checkout session ${s.id} is already ${s.acpStatus}: it cannot be canceled.`);
    }
    if (s.acpStatus === 'expired') return acpError(405, 'session_expired', `Checkout session ${s.id} has expired.`);
    const done = await graph<{ cancelCheckoutSession: SessionJson }>(call, CANCEL, { id: s.id }, true);
    return sessionAnswer(call, done.cancelCheckoutSession);
  });
}

export { invalid };
