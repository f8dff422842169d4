// The hosted checkout page's HTML, rendered on the server from the public view so the order
// summary reads without JavaScript; assets/checkout.js takes over the payment steps. Every
// value is escaped; URLs are http(s) only (checked in checkout-api.ts).
import type { PublicCheckoutView } from './checkout-api.js';

export type PageState = 'form' | 'challenge' | 'processing' | 'paid' | 'complete' | 'expired' | 'canceled';

const esc = (value: string | number): string =>
  String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

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

const NOTICES: Record<Exclude<PageState, 'form' | 'challenge' | 'processing'>, (merchant: string) => [string, string]> = {
  paid: (m) => ['Payment received', `Thank you. Taking you back to ${m}…`],
  complete: (m) => ['This checkout is already paid', `Nothing more to pay here. You can return to ${m}.`],
  expired: (m) => ['This checkout has expired', `Nothing was charged. Return to ${m} to start again.`],
  canceled: (m) => ['This checkout is no longer available', `Nothing was charged. Return to ${m} to start again.`],
};

function layout(title: string, body: string, scripts = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${esc(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/checkout/assets/checkout.css">
</head>
<body>
${body}
${scripts}</body>
</html>
`;
}

function moneyRow(label: string, display: string, className = ''): string {
  return `<tr${className ? ` class="${className}"` : ''}><th scope="row" colspan="2">${esc(label)}</th><td>${esc(display)}</td></tr>`;
}

function summary(view: PublicCheckoutView): string {
  const lines = view.line_items
    .map(
      (l) => `<tr><th scope="row" class="item">${esc(l.name)}<span class="unit">${esc(l.unit_amount.display)} each</span></th>` +
        `<td class="qty">${esc(l.quantity)}</td><td>${esc(l.amount_total.display)}</td></tr>`,
    )
    .join('\n');
  const t = view.totals;
  const extra = (['discount', 'tax', 'shipping'] as const)
    .filter((k) => t[k].amount_minor !== 0)
    .map((k) => moneyRow(k === 'discount' ? 'Discount' : k === 'tax' ? 'Tax' : 'Shipping', k === 'discount' ? `−${t[k].display}` : t[k].display))
    .join('\n');
  return `<section class="summary" aria-labelledby="summary-heading">
  <p class="merchant-name" id="merchant-name">${esc(view.merchant.name)}</p>
  <h1 id="summary-heading">Pay ${esc(view.merchant.name)}</h1>
  <p class="amount-due"><span>Total due</span> <strong id="amount-due">${esc(t.total.display)}</strong></p>
  <table class="line-items">
    <caption>Order summary</caption>
    <thead><tr><th scope="col">Item</th><th scope="col" class="qty">Qty</th><th scope="col">Amount</th></tr></thead>
    <tbody>
${lines}
    </tbody>
    <tfoot>
${moneyRow('Subtotal', t.subtotal.display)}
${extra}
${moneyRow('Total', t.total.display, 'total')}
    </tfoot>
  </table>
</section>`;
}

function cardForm(view: PublicCheckoutView, hidden: boolean): string {
  return `<form id="pay-form" class="card-form" method="post" novalidate aria-labelledby="pay-heading"${hidden ? ' hidden' : ''}>
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
  <button type="submit" id="pay-button" class="primary" disabled>Pay ${esc(view.totals.total.display)}</button>
</form>`;
}

function challenge(view: PublicCheckoutView, hidden: boolean): string {
  return `<section id="challenge" class="challenge" aria-labelledby="challenge-heading"${hidden ? ' hidden' : ''}>
  <h2 id="challenge-heading" tabindex="-1">Confirm it’s you</h2>
  <p>Your bank asks you to approve this payment of <strong>${esc(view.totals.total.display)}</strong> to ${esc(view.merchant.name)} (3-D Secure).</p>
  <p class="test-note">Test mode: choose how the bank’s check ends.</p>
  <div class="actions">
    <button type="button" id="challenge-approve" class="primary">Approve payment</button>
    <button type="button" id="challenge-fail" class="secondary">Fail authentication</button>
  </div>
</section>`;
}

export function renderCheckoutPage(view: PublicCheckoutView): string {
  const state = pageState(view);
  const notice = state in NOTICES ? NOTICES[state as keyof typeof NOTICES](view.merchant.name) : undefined;
  const lastError = state === 'form' ? view.payment?.last_payment_error?.display : undefined;
  const open = view.status === 'open';
  const returnUrl = state === 'complete' ? view.success_url : view.cancel_url;
  const body = `<main id="checkout" class="checkout" data-session-id="${esc(view.id)}" data-state="${state}"
  data-success-url="${esc(view.success_url ?? '')}" data-merchant="${esc(view.merchant.name)}">
${summary(view)}
<section class="payment" aria-label="Payment">
  <div id="error" class="error" role="alert">${lastError ? esc(lastError) : ''}</div>
  <div id="status" class="status" role="status" aria-live="polite">${state === 'processing' ? 'Your payment is processing…' : ''}</div>
  <div id="notice" class="notice"${notice ? '' : ' hidden'}>
    <h2 id="notice-heading" tabindex="-1">${notice ? esc(notice[0]) : ''}</h2>
    <p id="notice-text">${notice ? esc(notice[1]) : ''}</p>
    ${!open && returnUrl ? `<p><a id="return-link" rel="noreferrer" href="${esc(returnUrl)}">Return to ${esc(view.merchant.name)}</a></p>` : ''}
  </div>
${open ? cardForm(view, state !== 'form') : ''}
${open ? challenge(view, state !== 'challenge') : ''}
  ${open && view.cancel_url ? `<p class="cancel"><a id="cancel-link" rel="noreferrer" href="${esc(view.cancel_url)}">Cancel and return to ${esc(view.merchant.name)}</a></p>` : ''}
</section>
<footer class="footer"><p>Payments by Handoff. Your card details go only to the payment processor.</p></footer>
</main>`;
  const scripts = open
    ? '<script src="/checkout/assets/payment-watch.js" defer></script>\n<script src="/checkout/assets/checkout.js" defer></script>\n'
    : '';
  return layout(`Pay ${view.merchant.name}`, body, scripts);
}

export function renderMessagePage(title: string, text: string): string {
  return layout(
    title,
    `<main class="checkout message"><section class="notice"><h1>${esc(title)}</h1><p>${esc(text)}</p></section></main>`,
  );
}

export const notFoundPage = () =>
  renderMessagePage('Checkout not found', 'This checkout link is not valid. Check that you opened the whole link, or ask the merchant for a new one.');

export const unavailablePage = () =>
  renderMessagePage('Checkout temporarily unavailable', 'We could not load this checkout just now. Nothing was charged. Please reload the page in a moment.');
