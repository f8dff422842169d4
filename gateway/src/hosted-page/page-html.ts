// The hosted checkout page's HTML, rendered on the server from the public view so the order
// summary reads without JavaScript; assets/checkout.js takes over the payment steps. Every
// value is escaped; URLs are http(s) only (checked in checkout-api.ts).
import type { PublicCheckoutView } from './checkout-api.js';
import { billingSection, blockersBox, deliverySection, esc, promotionForm, summaryLines, summaryTotals } from './page-buyer-html.js';

export type PageState = 'form' | 'challenge' | 'processing' | 'paid' | 'complete' | 'expired' | 'canceled';

/** Which step the page starts on (checkout.js computes the same from the JSON view). */
export function pageState(view: PublicCheckoutView): PageState {
  if (view.status === 'complete') return 'complete';
  if (view.status === 'expired') return 'expired';
  if (view.status !== 'open' || !view.payment) return 'canceled';
  switch (view.payment.status) {
    case 'requires_action':
      return 'challenge';
    case 'processing':
      return 'processing';
    case 'succeeded':
    case 'requires_capture':
      return 'paid';
    case 'canceled':
      return 'canceled';
    default:
      return 'form';
  }
}

/**
 * What the headline amount says: due while the buyer can still pay; paid once the payment
 * succeeded; refunded (or partially refunded, with how much) once money went back.
 */
export interface AmountStatus {
  kind: 'due' | 'paid' | 'refunded' | 'partially_refunded' | 'total';
  label: string;
  display: string;
  /** A second line, e.g. "£5.00 of £15.00 refunded". */
  detail?: string;
}

export function amountStatus(view: PublicCheckoutView, state: PageState = pageState(view)): AmountStatus {
  const total = (view.amount_due ?? view.totals.total).display;
  const payment = view.payment;
  const paid = state === 'paid' || state === 'complete';
  const refunded = payment?.amount_refunded;
  if (paid && refunded && refunded.amount_minor > 0) {
    if (refunded.amount_minor >= payment.amount.amount_minor) return { kind: 'refunded', label: 'Refunded', display: refunded.display, detail: `The full ${payment.amount.display} was refunded.` };
    return { kind: 'partially_refunded', label: 'Partially refunded', display: refunded.display, detail: `${refunded.display} of ${payment.amount.display} refunded.` };
  }
  if (paid) return { kind: 'paid', label: 'Paid', display: payment?.amount.display ?? total };
  if (state === 'expired' || state === 'canceled') return { kind: 'total', label: 'Total', display: total };
  return { kind: 'due', label: 'Total due', display: total };
}

const NOTICES: Record<Exclude<PageState, 'form' | 'challenge' | 'processing'>, (merchant: string) => [string, string]> = {
  paid: (m) => ['Payment received', `Thank you. Taking you back to ${m}…`],
  complete: (m) => ['This checkout is already paid', `Nothing more to pay here. You can return to ${m}.`],
  expired: (m) => ['This checkout has expired', `Nothing was charged. Return to ${m} to start again.`],
  canceled: (m) => ['This checkout is no longer available', `Nothing was charged. Return to ${m} to start again.`],
};

/**
 * The merchant's accent colour as a stylesheet of its own (/checkout/assets/accent-rrggbb.css,
 * hosted-page.routes.ts), after the page's: the CSP keeps `style-src 'self'` (no inline style).
 */
function brandStylesheet(accent: string | null | undefined): string {
  return accent && /^#[0-9a-f]{6}$/.test(accent) ? `\n<link rel="stylesheet" href="/checkout/assets/accent-${accent.slice(1)}.css">` : '';
}

function layout(title: string, body: string, scripts = '', accent: string | null = null): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${esc(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/checkout/assets/checkout.css">${brandStylesheet(accent)}
</head>
<body>
${body}
${scripts}</body>
</html>
`;
}

function summary(view: PublicCheckoutView, amount: AmountStatus, changeable: boolean): string {
  return `<section class="summary" aria-labelledby="summary-heading">
${view.test_mode ? '  <p class="test-badge" id="test-mode-badge">Test mode</p>\n' : ''}  <p class="merchant-name" id="merchant-name"><bdi>${esc(view.merchant.name)}</bdi></p>
  <h1 id="summary-heading">${amount.kind === 'due' || amount.kind === 'total' ? 'Pay' : 'Your payment to'} <bdi>${esc(view.merchant.name)}</bdi></h1>
  <p class="amount-due amount-${amount.kind.replace('_', '-')}" id="amount-status" data-kind="${amount.kind}"><span id="amount-label">${esc(amount.label)}</span> <strong id="amount-due">${esc(amount.display)}</strong>${
    amount.detail ? `<span class="amount-detail" id="amount-detail">${esc(amount.detail)}</span>` : ''
  }</p>
${view.subscription ? `  <p class="subscription-notice" id="subscription-notice">${esc(view.subscription.notice)}</p>
` : ''}  <table class="line-items">
    <caption>Order summary</caption>
    <thead><tr><th scope="col">Item</th><th scope="col" class="qty">Qty</th><th scope="col">Amount</th></tr></thead>
    <tbody id="summary-lines">
${summaryLines(view)}
    </tbody>
    <tfoot id="summary-totals">
${summaryTotals(view)}
    </tfoot>
  </table>
  <p id="totals-live" class="visually-hidden" aria-live="polite"></p>
${changeable ? promotionForm(view) : ''}
</section>`;
}

function cardForm(view: PublicCheckoutView, hidden: boolean): string {
  return `<form id="pay-form" class="card-form" method="post" novalidate aria-labelledby="pay-heading" data-blocked="${view.blockers.length ? 'true' : 'false'}"${hidden ? ' hidden' : ''}>
  <h2 id="pay-heading">Pay with card</h2>
  <div class="field">
    <label for="card-name">Name on card</label>
    <input id="card-name" name="card-name" autocomplete="cc-name" required maxlength="200" aria-describedby="card-name-error">
    <p class="field-error" id="card-name-error"></p>
  </div>
  <div class="field">
    <label for="card-number">Card number</label>
    <input id="card-number" name="card-number" inputmode="numeric" autocomplete="cc-number" required maxlength="23"
      placeholder="1234 1234 1234 1234" aria-describedby="card-number-error">
    <p class="field-error" id="card-number-error"></p>
  </div>
  <div class="row">
    <div class="field">
      <label for="card-expiry">Expiry date (MM/YY)</label>
      <input id="card-expiry" name="card-expiry" inputmode="numeric" autocomplete="cc-exp" required maxlength="7"
        placeholder="MM/YY" aria-describedby="card-expiry-error">
      <p class="field-error" id="card-expiry-error"></p>
    </div>
    <div class="field">
      <label for="card-cvc">Security code (CVC)</label>
      <input id="card-cvc" name="card-cvc" inputmode="numeric" autocomplete="cc-csc" required maxlength="4"
        placeholder="123" aria-describedby="card-cvc-error">
      <p class="field-error" id="card-cvc-error"></p>
    </div>
  </div>
  ${blockersBox(view)}
  <button type="submit" id="pay-button" class="primary" disabled aria-describedby="blockers">Pay ${esc(view.amount_due.display)}</button>
</form>`;
}

/**
 * A merchant paid through Stripe: the card is collected by Stripe.js's Payment Element, mounted
 * in #payment-element (stripe-payment.js), under the merchant's publishable key; the page's pay
 * request carries only the payment method id Stripe answers. No key on file: no form.
 */
function stripeForm(view: PublicCheckoutView, hidden: boolean): string {
  const key = view.payment_form.type === 'stripe' ? view.payment_form.publishable_key : null;
  if (!key) {
    return `<div id="pay-form" class="card-form"${hidden ? ' hidden' : ''}><p id="stripe-unavailable">${esc(view.merchant.name)} cannot take card payments on this page yet. Nothing was charged.</p></div>`;
  }
  return `<form id="pay-form" class="card-form" method="post" novalidate aria-labelledby="pay-heading" data-blocked="${view.blockers.length ? 'true' : 'false'}"
  data-stripe-key="${esc(key)}" data-amount="${view.amount_due.amount_minor ?? ''}" data-currency="${esc(view.currency.toLowerCase())}"${view.subscription ? (view.subscription.trial_days > 0 ? ' data-stripe-mode="setup"' : ' data-setup-future-usage="off_session"') : ''}${hidden ? ' hidden' : ''}>
  <h2 id="pay-heading">Pay with card</h2>
  <div id="payment-element" class="payment-element"></div>
  <p class="field-error" id="payment-element-error" role="alert"></p>
  ${blockersBox(view)}
  <button type="submit" id="pay-button" class="primary" disabled aria-describedby="blockers">Pay ${esc(view.amount_due.display)}</button>
</form>`;
}

/** Stripe's 3-D Secure happens at the card's bank, through Stripe: the page sends the buyer there, and back here after. */
function stripeChallenge(view: PublicCheckoutView, hidden: boolean): string {
  const url = view.payment?.next_action?.url ?? '';
  return `<section id="challenge" class="challenge" data-stripe="true" aria-labelledby="challenge-heading"${hidden ? ' hidden' : ''}>
  <h2 id="challenge-heading" tabindex="-1">Confirm it’s you</h2>
  <p>Your bank asks you to approve this payment of <strong>${esc(view.amount_due.display)}</strong> to ${esc(view.merchant.name)} (3-D Secure).</p>
  <p><a id="challenge-continue" class="primary" rel="noreferrer" href="${esc(url)}"${url ? '' : ' hidden'}>Continue to your bank</a></p>
</section>`;
}

/** The card groups of 4 digits, as printed on a card. */
const grouped = (number: string) => number.replace(/(\d{4})(?=\d)/g, '$1 ');

/** Test mode: the sandbox's own test cards (from the payment intent), so a tester knows what to type. */
function testCards(view: PublicCheckoutView, hidden: boolean): string {
  if (!view.test_mode || !view.test_cards?.length) return '';
  const rows = view.test_cards
    .map((c) => `    <tr><td><code class="card-number">${esc(grouped(c.number))}</code></td><td>${esc(c.outcome)}</td></tr>`)
    .join('\n');
  return `<section id="test-cards" class="test-cards" aria-labelledby="test-cards-heading"${hidden ? ' hidden' : ''}>
  <h2 id="test-cards-heading">Test cards</h2>
  <p>This checkout is in test mode: no real card is charged. Use one of these numbers with any future expiry date and any 3-digit CVC.</p>
  <table>
    <thead><tr><th scope="col">Card number</th><th scope="col">Result</th></tr></thead>
    <tbody>
${rows}
    </tbody>
  </table>
</section>`;
}

function challenge(view: PublicCheckoutView, hidden: boolean): string {
  return `<section id="challenge" class="challenge" aria-labelledby="challenge-heading"${hidden ? ' hidden' : ''}>
  <h2 id="challenge-heading" tabindex="-1">Confirm it’s you</h2>
  <p>Your bank asks you to approve this payment of <strong>${esc(view.amount_due.display)}</strong> to ${esc(view.merchant.name)} (3-D Secure).</p>
  <p class="test-note">Test mode: choose how the bank’s check ends.</p>
  <div class="actions">
    <button type="button" id="challenge-approve" class="primary">Approve payment</button>
    <button type="button" id="challenge-fail" class="secondary">Fail authentication</button>
  </div>
</section>`;
}

/** A refunded checkout says so rather than "already paid". */
function refundNotice(amount: AmountStatus): [string, string] | undefined {
  if (amount.kind === 'refunded') return ['This payment was refunded', `${amount.detail} It goes back to the card it was paid with.`];
  if (amount.kind === 'partially_refunded') return ['This payment was partially refunded', `${amount.detail} It goes back to the card it was paid with.`];
  return undefined;
}

/** `stripeJsUrl`: the page collects the card with Stripe.js from there (the view's payment_form is `stripe`). */
export function renderCheckoutPage(view: PublicCheckoutView, locale?: string, stripeJsUrl?: string): string {
  const stripe = view.payment_form?.type === 'stripe';
  const state = pageState(view);
  const amount = amountStatus(view, state);
  // What the buyer fills in shows while the card form does (the session can still change then).
  const changeable = view.status === 'open' && state === 'form';
  const notice = refundNotice(amount) ?? (state in NOTICES ? NOTICES[state as keyof typeof NOTICES](view.merchant.name) : undefined);
  const lastError = state === 'form' ? view.payment?.last_payment_error?.display : undefined;
  const open = view.status === 'open';
  const returnUrl = state === 'complete' ? view.success_url : view.cancel_url;
  const body = `<main id="checkout" class="checkout" data-session-id="${esc(view.id)}" data-state="${state}"
  data-success-url="${esc(view.success_url ?? '')}" data-merchant="${esc(view.merchant.name)}">
${summary(view, amount, changeable)}
<section class="payment" aria-label="Payment">
  <div id="error" class="error" role="alert">${lastError ? esc(lastError) : ''}</div>
  <div id="status" class="status" role="status" aria-live="polite">${state === 'processing' ? 'Your payment is processing…' : ''}</div>
  <div id="notice" class="notice"${notice ? '' : ' hidden'}>
    <h2 id="notice-heading" tabindex="-1">${notice ? esc(notice[0]) : ''}</h2>
    <p id="notice-text">${notice ? esc(notice[1]) : ''}</p>
    ${!open && returnUrl ? `<p><a id="return-link" rel="noreferrer" href="${esc(returnUrl)}">Return to ${esc(view.merchant.name)}</a></p>` : ''}
  </div>
${changeable ? deliverySection(view, locale) : ''}
${changeable ? billingSection(view, locale) : ''}
${open ? (stripe ? stripeForm(view, state !== 'form') : cardForm(view, state !== 'form')) : ''}
${open ? testCards(view, state !== 'form') : ''}
${open ? (stripe ? stripeChallenge(view, state !== 'challenge') : challenge(view, state !== 'challenge')) : ''}
  ${open && view.cancel_url ? `<p class="cancel"><a id="cancel-link" rel="noreferrer" href="${esc(view.cancel_url)}">Cancel and return to ${esc(view.merchant.name)}</a></p>` : ''}
</section>
<footer class="footer"><p>Payments by Handoff. Your card details go only to the payment processor.</p></footer>
</main>`;
  // Stripe.js (its origin is in this page's CSP) and the page's use of it run before checkout.js, in order.
  const stripeScripts =
    stripe && stripeJsUrl && view.payment_form.type === 'stripe' && view.payment_form.publishable_key
      ? `<script src="${esc(stripeJsUrl)}" defer></script>\n<script src="/checkout/assets/stripe-payment.js" defer></script>\n`
      : '';
  const scripts = open
    ? `<script src="/checkout/assets/payment-watch.js" defer></script>\n<script src="/checkout/assets/checkout-buyer.js" defer></script>\n${stripeScripts}<script src="/checkout/assets/checkout.js" defer></script>\n`
    : '';
  return layout(`Pay ${view.merchant.name}`, body, scripts, view.branding?.accent_color ?? null);
}

export function renderMessagePage(title: string, text: string): string {
  return layout(
    title,
    `<main class="checkout message"><section class="notice"><h1>${esc(title)}</h1><p>${esc(text)}</p></section></main>`,
  );
}

export const notFoundPage = () =>
  renderMessagePage('Checkout not found', 'This checkout link is not valid. Check that you opened the whole link, or ask the merchant for a new one.');

export const disabledPage = () =>
  renderMessagePage('Checkout not available', 'This merchant does not take payments on this checkout page. Nothing was charged. Please contact the merchant.');

export const unavailablePage = () =>
  renderMessagePage('Checkout temporarily unavailable', 'We could not load this checkout just now. Nothing was charged. Please reload the page in a moment.');
