// The hosted page's view of the graph: the GraphQL operations it runs (through deps.execute, as
// the CLIENT principal of one checkout session), the public JSON view built from their answers,
// and how GraphQL error codes become HTTP answers. Nothing here knows about express.
import { subscriptionView, type RecurringData, type SubscriptionView } from './subscription-view.js';
import type { GraphQLFormattedError } from 'graphql';
import type { Principal } from '@handoff/shared/identity/principal';
import type { GatewayRouteDeps } from '../route-deps.js';
import { BUYER_MUTATIONS, BUYER_OPTIONS_QUERY, PAGE_BUYER_FIELDS } from './buyer-operations.js';
import { moneyView, type MoneyView } from './money-format.js';
import { blockerMessage, blockersOf, buyerView, type BlockerData, type BuyerData, type BuyerView, type MoneyData, type OptionsData } from './pricing-view.js';

const MONEY = 'amountMinor currency amount';
const INTENT_FIELDS = `id status amount { ${MONEY} } nextAction { type url } lastPaymentError { code declineCode message }`;

export const SESSION_QUERY = `query HostedCheckoutSession($id: ID!) {
  checkoutSession(id: $id) {
    id status mode url successUrl cancelUrl expiresAt
    merchant { name checkoutBranding { displayName accentColor } hostedPage { enabled stripePublishableKey } }
    lineItems { name quantity unitAmount { ${MONEY} } total { ${MONEY} } recurring { interval intervalCount trialDays } }
    totals { subtotal { ${MONEY} } discount { ${MONEY} } tax { ${MONEY} } shipping { ${MONEY} } total { ${MONEY} } }
    paymentIntent { ${INTENT_FIELDS} provider amountRefunded { ${MONEY} } sandboxTestCards { number outcome } }
    ${PAGE_BUYER_FIELDS}
  }
}`;

// The card number travels as a variable, never inlined in the document.
export const CONFIRM_MUTATION = `mutation HostedCheckoutPay($id: ID!, $card: String!) {
  confirmPaymentIntent(id: $id, paymentMethod: { testCard: $card }) { ${INTENT_FIELDS} }
}`;

/** A fresh intent for the session when the merchant canceled its intent (renewCheckoutPaymentIntent). */
export const RENEW_INTENT_MUTATION = `mutation HostedCheckoutRenewIntent($id: ID!) { renewCheckoutPaymentIntent(checkoutSessionId: $id) { id status } }`;

export const THREE_D_SECURE_MUTATION = `mutation HostedCheckoutThreeDSecure($id: ID!, $approved: Boolean!) {
  completeThreeDSecure(id: $id, approved: $approved) { ${INTENT_FIELDS} }
}`;

export interface IntentData {
  id: string;
  status: string;
  amount: MoneyData;
  nextAction: { type: string; url: string | null } | null;
  lastPaymentError: { code: string; declineCode: string | null; message: string } | null;
  /** Only in the session query (not in the pay and 3-D Secure answers). */
  provider?: string;
  amountRefunded?: MoneyData;
  /** The sandbox PSP's own list (@handoff/psp-sandbox/test-cards, through payment-intent), null at a real PSP. */
  sandboxTestCards?: Array<{ number: string; outcome: string }> | null;
}

export interface SessionData extends BuyerData {
  id: string;
  status: string;
  mode: string;
  url: string;
  successUrl: string | null;
  cancelUrl: string | null;
  expiresAt: string;
  merchant: {
    name: string;
    checkoutBranding?: { displayName: string | null; accentColor: string | null } | null;
    /** Whether the merchant may use the hosted page (its hostedPages capability), and its Stripe publishable key. */
    hostedPage?: { enabled: boolean; stripePublishableKey: string | null } | null;
  } | null;
  lineItems: Array<{ name: string; quantity: number; unitAmount: MoneyData; total: MoneyData; recurring?: RecurringData | null }>;
  totals: Record<'subtotal' | 'discount' | 'tax' | 'shipping' | 'total', MoneyData>;
  paymentIntent: IntentData | null;
}

export interface PaymentView {
  id: string;
  status: string;
  amount: MoneyView;
  next_action: { type: string; url: string | null } | null;
  /** `display`: the reason in plain words, for the buyer. */
  last_payment_error: { code: string; decline_code: string | null; message: string; display: string } | null;
  /** What has been refunded (zero when nothing), when known. */
  amount_refunded?: MoneyView;
}

/** Seed 002's public session object, plus what the page shows. No keys, emails or metadata. */
export interface PublicCheckoutView extends BuyerView {
  id: string;
  object: 'checkout.session';
  status: string;
  mode: string;
  url: string;
  payment_intent: string | null;
  expires_at: number;
  /** The merchant's name as its checkout branding shows it (its display name, else its name). */
  merchant: { name: string };
  /** The merchant's hosted-page branding: the accent colour (#rrggbb), null for Handoff's. */
  branding: { accent_color: string | null };
  currency: string;
  amount_subtotal: number;
  amount_total: number;
  line_items: Array<{ name: string; quantity: number; unit_amount: MoneyView; amount_total: MoneyView }>;
  /** A SUBSCRIPTION session's renewal terms and the notice the page shows (subscription-view.ts); null otherwise. */
  subscription?: SubscriptionView | null;
  totals: Record<'subtotal' | 'discount' | 'tax' | 'shipping' | 'total', MoneyView>;
  success_url: string | null;
  cancel_url: string | null;
  payment: PaymentView | null;
  /** The merchant's PSP is the sandbox: nothing real is charged. */
  test_mode: boolean;
  /** The sandbox's test cards (number and what it does), in test mode; null otherwise. */
  test_cards: Array<{ number: string; outcome: string }> | null;
  /**
   * How the page takes the card: `card`, its own form (the sandbox); `stripe`, Stripe.js's Payment
   * Element under the merchant's publishable key (null: none on file, the page cannot take cards),
   * so the card goes to Stripe and the pay route gets only a payment method id (PCI SAQ A).
   */
  payment_form: { type: 'card' } | { type: 'stripe'; publishable_key: string | null };
}

/** An answer for the client: HTTP status and a stable code. */
export interface ApiFailure {
  status: number;
  code: string;
  message: string;
  reason?: string;
  /** What stands in the way of paying (CHECKOUT_NOT_READY), in the buyer's words. */
  blockers?: Array<{ code: string; message: string }>;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; failure: ApiFailure; error?: GraphQLFormattedError };

export const NOT_FOUND: ApiFailure = { status: 404, code: 'CHECKOUT_SESSION_NOT_FOUND', message: 'Checkout session not found.' };
/** The merchant's hostedPages capability is off (an admin's choice): the page and its API refuse, nothing is run. */
export const HOSTED_PAGE_DISABLED: ApiFailure = {
  status: 403,
  code: 'CAPABILITY_DISABLED',
  message: 'This merchant does not take payments on the hosted checkout page. Nothing was charged.',
  reason: 'capability:hosted_pages',
};
const UNAVAILABLE: ApiFailure = {
  status: 503,
  code: 'SERVICE_UNAVAILABLE',
  message: 'Payments are temporarily unavailable. Nothing was charged; please try again in a moment.',
};

const PRICING_UNAVAILABLE: ApiFailure = {
  status: 503,
  code: 'PROVIDER_UNAVAILABLE',
  message: 'We could not work out the price just now. Nothing was charged; please try again in a moment.',
};

// Anything not listed is unexpected: 503 with a generic message (never a 500, never details).
const STATUS_BY_CODE: Record<string, number> = {
  BAD_USER_INPUT: 400,
  PAYMENT_DECLINED: 402,
  // The merchant's risk rules refused the payment (nothing charged), or want a verified identity first.
  FRAUD_BLOCKED: 402,
  KYC_REQUIRED: 422,
  // The merchant's payment rules (settings, tx-limits): refused, nothing charged.
  PAYMENT_ATTEMPTS_EXCEEDED: 422,
  TRANSACTION_LIMIT_EXCEEDED: 422,
  CHECKOUT_SESSION_EXPIRED: 409,
  INVALID_STATE_TRANSITION: 409,
  PROMOTION_INVALID: 422,
  VERSION_CONFLICT: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
};
// Not found, or not this secret's to see: the same answer, so nothing leaks.
const HIDDEN = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CHECKOUT_SESSION_NOT_FOUND', 'PAYMENT_INTENT_NOT_FOUND']);

export function failureOf(error: GraphQLFormattedError | undefined): ApiFailure {
  const code = typeof error?.extensions?.code === 'string' ? error.extensions.code : '';
  if (HIDDEN.has(code)) return NOT_FOUND;
  if (code === 'PROVIDER_UNAVAILABLE') return PRICING_UNAVAILABLE;
  if (code === 'CALCULATION_STALE') return { status: 409, code, message: 'The price of this checkout changed. Check the new total, then pay.', reason: 'calculation:stale' };
  // The payment's own check found blockers (changed since the page's check): 409 with them, as that check answers.
  if (code === 'CHECKOUT_NOT_READY') return notReadyFailure(blockersIn(error?.extensions?.blockers));
  const status = STATUS_BY_CODE[code];
  if (!status || !error) return UNAVAILABLE;
  const reason = typeof error.extensions?.reason === 'string' ? error.extensions.reason : undefined;
  return { status, code, message: error.message, ...(reason ? { reason } : {}) };
}

/** CHECKOUT_NOT_READY's `blockers` extension, in the buyer's words; what is not a blocker is left out. */
function blockersIn(raw: unknown): Array<{ code: string; message: string }> {
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((b): b is BlockerData => !!b && typeof b === 'object' && typeof (b as BlockerData).code === 'string' && typeof (b as BlockerData).message === 'string')
    .map((b) => ({ code: b.code, message: blockerMessage(b) }));
}

function notReadyFailure(blockers: Array<{ code: string; message: string }>): ApiFailure {
  const why = blockers.length > 0 ? ` ${blockers.map((b) => b.message).join(' ')}` : '';
  return { status: 409, code: 'CHECKOUT_NOT_READY', message: `This checkout is not ready to pay.${why}`, reason: 'checkout:not_ready', blockers };
}

/** Whether the session's card is taken by Stripe.js (its intent is at Stripe) or by the page's own form. */
export function paymentFormOf(s: SessionData): PublicCheckoutView['payment_form'] {
  return s.paymentIntent?.provider === 'STRIPE' ? { type: 'stripe', publishable_key: s.merchant?.hostedPage?.stripePublishableKey ?? null } : { type: 'card' };
}

// A payment method Stripe.js made in the buyer's browser: the page confirms with its id only.
export const CONFIRM_WITH_METHOD_MUTATION = `mutation HostedCheckoutPayWithMethod($id: ID!, $token: String!) {
  confirmPaymentIntent(id: $id, paymentMethod: { token: $token }) { ${INTENT_FIELDS} }
}`;

/** Runs one operation as `principal`; transport failures and GraphQL errors become failures. */
export async function runOperation<T>(deps: GatewayRouteDeps, principal: Principal, query: string, variables: Record<string, unknown>): Promise<Outcome<T>> {
  return run<T>(deps, query, variables, principal);
}

async function run<T>(
  deps: GatewayRouteDeps,
  query: string,
  variables: Record<string, unknown>,
  principal: Principal,
): Promise<Outcome<T>> {
  let result;
  try {
    result = await deps.execute<T>({ query, variables, principal });
  } catch (err) {
    deps.logger.error({ err }, 'hosted page: operation failed');
    return { ok: false, failure: UNAVAILABLE };
  }
  if (result.errors?.length || !result.data) {
    const error = result.errors?.[0];
    return { ok: false, failure: failureOf(error), ...(error ? { error } : {}) };
  }
  return { ok: true, value: result.data };
}

export async function loadSession(deps: GatewayRouteDeps, principal: Principal, id: string): Promise<Outcome<SessionData>> {
  const out = await run<{ checkoutSession: SessionData | null }>(deps, SESSION_QUERY, { id }, principal);
  if (!out.ok) return out;
  if (!out.value.checkoutSession) return { ok: false, failure: NOT_FOUND };
  // Every page route loads the session first: a merchant without the capability gets no further.
  if (out.value.checkoutSession.merchant?.hostedPage?.enabled === false) return { ok: false, failure: HOSTED_PAGE_DISABLED };
  return { ok: true, value: out.value.checkoutSession };
}

/** The shipping options and pickup locations the buyer may choose from now. */
export async function loadOptions(deps: GatewayRouteDeps, principal: Principal, id: string): Promise<Outcome<OptionsData>> {
  const out = await run<{ checkoutSession: OptionsData | null }>(deps, BUYER_OPTIONS_QUERY, { id }, principal);
  if (!out.ok) return out;
  if (!out.value.checkoutSession) return { ok: false, failure: NOT_FOUND };
  return { ok: true, value: out.value.checkoutSession };
}

/** calculateCheckout: the session's current calculation, after a change or when it has none or a stale one. */
export async function calculate(deps: GatewayRouteDeps, principal: Principal, id: string): Promise<Outcome<unknown>> {
  return run(deps, BUYER_MUTATIONS.calculate, { id }, principal);
}

/** One of the buyer operations (buyer-operations.ts BUYER_MUTATIONS) with its variables. */
export async function runBuyerMutation(
  deps: GatewayRouteDeps,
  principal: Principal,
  mutation: keyof typeof BUYER_MUTATIONS,
  variables: Record<string, unknown>,
): Promise<Outcome<unknown>> {
  return run(deps, BUYER_MUTATIONS[mutation], variables, principal);
}

export async function confirmWithCard(deps: GatewayRouteDeps, principal: Principal, intentId: string, card: string): Promise<Outcome<IntentData>> {
  const out = await run<{ confirmPaymentIntent: IntentData }>(deps, CONFIRM_MUTATION, { id: intentId, card }, principal);
  return out.ok ? { ok: true, value: out.value.confirmPaymentIntent } : out;
}

export async function confirmWithPaymentMethod(deps: GatewayRouteDeps, principal: Principal, intentId: string, paymentMethod: string): Promise<Outcome<IntentData>> {
  const out = await run<{ confirmPaymentIntent: IntentData }>(deps, CONFIRM_WITH_METHOD_MUTATION, { id: intentId, token: paymentMethod }, principal);
  return out.ok ? { ok: true, value: out.value.confirmPaymentIntent } : out;
}

export async function completeThreeDSecure(
  deps: GatewayRouteDeps,
  principal: Principal,
  intentId: string,
  approved: boolean,
): Promise<Outcome<IntentData>> {
  const out = await run<{ completeThreeDSecure: IntentData }>(deps, THREE_D_SECURE_MUTATION, { id: intentId, approved }, principal);
  return out.ok ? { ok: true, value: out.value.completeThreeDSecure } : out;
}

/** Why a session cannot take a payment now (409), or undefined when it can. */
export function closedFailure(session: SessionData): ApiFailure | undefined {
  switch (session.status) {
    case 'OPEN':
      return session.paymentIntent
        ? undefined
        : { status: 409, code: 'INVALID_STATE_TRANSITION', message: 'This checkout cannot take a payment.', reason: 'checkout_session:no_payment_intent' };
    case 'EXPIRED':
      return { status: 409, code: 'CHECKOUT_SESSION_EXPIRED', message: 'This checkout has expired.' };
    case 'COMPLETE':
      return { status: 409, code: 'INVALID_STATE_TRANSITION', message: 'This checkout is already paid.', reason: 'checkout_session:complete' };
    default:
      return { status: 409, code: 'INVALID_STATE_TRANSITION', message: 'This checkout was canceled.', reason: `checkout_session:${session.status.toLowerCase()}` };
  }
}

/**
 * Why an open session cannot be paid yet (409, with its blockers), or undefined when it can: its
 * calculation is stale (CALCULATION_STALE), or it lists blockers — no address, no shipping
 * choice, an invalid code, a required billing address missing (INVALID_STATE_TRANSITION).
 */
export function notPayableYet(session: SessionData): { failure: ApiFailure; blockers: Array<{ code: string; message: string }> } | undefined {
  const blockers = blockersOf(session);
  if (blockers.length === 0) return undefined;
  if (blockers.some((b) => b.code === 'calculation_stale')) {
    return { failure: { status: 409, code: 'CALCULATION_STALE', message: 'The price of this checkout changed. Check the new total, then pay.', reason: 'calculation:stale' }, blockers };
  }
  const failure: ApiFailure = {
    status: 409,
    code: 'INVALID_STATE_TRANSITION',
    message: `This checkout is not ready to pay. ${blockers.map((b) => b.message).join(' ')}`,
    reason: 'checkout_session:blocked',
  };
  return { failure, blockers };
}

/** A branding colour the page may use: exactly #rrggbb (it names a stylesheet, hosted-page.routes.ts), else null. */
export function accentColor(value: string | null | undefined): string | null {
  return typeof value === 'string' && /^#[0-9a-f]{6}$/.test(value) ? value : null;
}

/** The merchant's success URL with {CHECKOUT_SESSION_ID} filled in; only http(s) URLs. */
export function successUrlFor(session: Pick<SessionData, 'id' | 'successUrl'>): string | null {
  if (!session.successUrl) return null;
  const filled = session.successUrl.replace(/\{CHECKOUT_SESSION_ID\}|%7BCHECKOUT_SESSION_ID%7D/gi, encodeURIComponent(session.id));
  return safeHttpUrl(filled);
}

export function safeHttpUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.toString() : null;
  } catch {
    return null;
  }
}

/** The page's URL without its client secret (the buyer already holds it; no copy in JSON). */
function urlWithoutSecret(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.searchParams.delete('cs');
    return parsed.toString();
  } catch {
    return '';
  }
}

const DECLINE_WORDS: Readonly<Record<string, string>> = {
  insufficient_funds: 'Your card was declined: insufficient funds. Try another card.',
  generic_decline: 'Your card was declined. Try another card, or contact your bank.',
  authentication_failed: '3-D Secure authentication failed, so the payment was not made. Try again or use another card.',
  expired_card: 'Your card has expired. Try another card.',
  incorrect_cvc: 'The security code (CVC) is incorrect.',
  incorrect_number: 'The card number is incorrect.',
  lost_card: 'Your card was declined. Try another card, or contact your bank.',
  stolen_card: 'Your card was declined. Try another card, or contact your bank.',
  do_not_honor: 'Your card was declined. Try another card, or contact your bank.',
  processing_error: 'There was an error processing your card. Try again in a moment.',
};

/** The decline in plain words (the PSP's own message when the reason is not a known one). */
export function declineDisplay(e: { code: string; declineCode: string | null; message: string }): string {
  return DECLINE_WORDS[e.declineCode ?? ''] ?? DECLINE_WORDS[e.code] ?? (e.message || 'Your payment could not be completed. Try another card.');
}

export function paymentView(intent: IntentData, locale?: string): PaymentView {
  return {
    id: intent.id,
    status: intent.status.toLowerCase(),
    amount: moneyView(intent.amount, locale),
    next_action: intent.nextAction ? { type: intent.nextAction.type, url: safeHttpUrl(intent.nextAction.url) } : null,
    last_payment_error: intent.lastPaymentError
      ? {
          code: intent.lastPaymentError.code,
          decline_code: intent.lastPaymentError.declineCode,
          message: intent.lastPaymentError.message,
          display: declineDisplay(intent.lastPaymentError),
        }
      : null,
    ...(intent.amountRefunded ? { amount_refunded: moneyView(intent.amountRefunded, locale) } : {}),
  };
}

/** The public view; `options` (BUYER_OPTIONS_QUERY) only while the buyer can still choose. */
export function publicView(s: SessionData, locale?: string, options: OptionsData | null = null): PublicCheckoutView {
  const m = (x: MoneyData) => moneyView(x, locale);
  return {
    id: s.id,
    object: 'checkout.session',
    status: s.status.toLowerCase(),
    mode: s.mode.toLowerCase(),
    url: urlWithoutSecret(s.url),
    payment_intent: s.paymentIntent?.id ?? null,
    expires_at: Math.floor(Date.parse(s.expiresAt) / 1000),
    merchant: { name: s.merchant?.checkoutBranding?.displayName || s.merchant?.name || '' },
    branding: { accent_color: accentColor(s.merchant?.checkoutBranding?.accentColor) },
    currency: s.totals.total.currency,
    amount_subtotal: s.totals.subtotal.amountMinor,
    amount_total: s.totals.total.amountMinor,
    line_items: s.lineItems.map((l) => ({ name: l.name, quantity: l.quantity, unit_amount: m(l.unitAmount), amount_total: m(l.total) })),
    subscription: subscriptionView(s.mode, s.lineItems, locale),
    totals: {
      subtotal: m(s.totals.subtotal),
      discount: m(s.totals.discount),
      tax: m(s.totals.tax),
      shipping: m(s.totals.shipping),
      total: m(s.totals.total),
    },
    success_url: successUrlFor(s),
    cancel_url: safeHttpUrl(s.cancelUrl),
    payment: s.paymentIntent ? paymentView(s.paymentIntent, locale) : null,
    test_mode: s.paymentIntent?.provider === 'TEST',
    test_cards: s.paymentIntent?.provider === 'TEST' ? (s.paymentIntent.sandboxTestCards ?? []).map((c) => ({ number: c.number, outcome: c.outcome })) : null,
    payment_form: paymentFormOf(s),
    ...buyerView(s, m(s.totals.total), options, locale),
  };
}
