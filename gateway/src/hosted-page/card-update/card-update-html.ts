// The buyer's card-update page (issue 22; docs/recurring.md "Card update link"), rendered on the
// server from payment-intent's view so it reads without JavaScript; assets/card-update.js posts the
// card. A merchant paid through Stripe: Stripe.js's Payment Element (setup mode) instead of the card
// fields, under the merchant's publishable key (the card goes to Stripe only; docs/stripe-hosted-page.md). The hosted checkout page's stylesheet, security headers and card form fields; every value
// escaped. Refusals (expired, used, invalid link; canceled subscription) are message pages.
import { formatDecimal, money } from '@handoff/shared/money/money';
import { esc } from '../page-buyer-html.js';
import { formatMoney } from '../money-format.js';

export interface CardUpdateView {
  subscription_id: string;
  status: string;
  currency: string;
  items: Array<{ name: string; quantity: number; unit_amount: number }>;
  interval: string;
  interval_count: number;
  payment_method: { brand: string | null; last4: string | null } | null;
  amount_due: { period: number; amount: number; status: string } | null;
  provider: string;
  /** STRIPE: the page collects the card with Stripe.js under this publishable key. */
  stripe?: { publishable_key: string } | null;
  link_expires_at: number;
  test_cards: Array<{ number: string; outcome: string }>;
}

/** Minor units in the currency's own style for the buyer's locale (the shared money helper makes the exact decimal). */
export function displayMinor(amountMinor: number, currency: string, locale?: string): string {
  return formatMoney(formatDecimal(money(amountMinor, currency)), currency, locale);
}

const grouped = (n: string) => n.replace(/(\d{4})(?=\d)/g, '$1 ');
const cardText = (pm: CardUpdateView['payment_method']) => (pm ? `${pm.brand ? pm.brand.charAt(0).toUpperCase() + pm.brand.slice(1) : 'Card'} ending in ${pm.last4 ?? '••••'}` : 'No card on file');
const every = (v: CardUpdateView) => (v.interval_count === 1 ? `per ${v.interval}` : `every ${v.interval_count} ${v.interval}s`);

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

function testCards(view: CardUpdateView): string {
  if (!view.test_cards.length) return '';
  const rows = view.test_cards.map((c) => `    <tr><td><code class="card-number">${esc(grouped(c.number))}</code></td><td>${esc(c.outcome)}</td></tr>`).join('\n');
  return `<section id="test-cards" class="test-cards" aria-labelledby="test-cards-heading">
  <h2 id="test-cards-heading">Test cards</h2>
  <p>Test mode: no real card is charged. Use one of these numbers with any future expiry date and any 3-digit CVC.</p>
  <table>
    <thead><tr><th scope="col">Card number</th><th scope="col">Result</th></tr></thead>
    <tbody>
${rows}
    </tbody>
  </table>
</section>`;
}

/** The card fields of the sandbox's form. */
const CARD_FIELDS = `    <div class="field">
      <label for="card-name">Name on card</label>
      <input id="card-name" name="card-name" autocomplete="cc-name" maxlength="200" aria-describedby="card-name-error">
      <p class="field-error" id="card-name-error"></p>
    </div>
    <div class="field">
      <label for="card-number">Card number</label>
      <input id="card-number" name="card-number" inputmode="numeric" autocomplete="cc-number" required maxlength="23" placeholder="1234 1234 1234 1234" aria-describedby="card-number-error">
      <p class="field-error" id="card-number-error"></p>
    </div>
    <div class="row">
      <div class="field">
        <label for="card-expiry">Expiry date (MM/YY)</label>
        <input id="card-expiry" name="card-expiry" inputmode="numeric" autocomplete="cc-exp" required maxlength="7" placeholder="MM/YY" aria-describedby="card-expiry-error">
        <p class="field-error" id="card-expiry-error"></p>
      </div>
      <div class="field">
        <label for="card-cvc">Security code (CVC)</label>
        <input id="card-cvc" name="card-cvc" inputmode="numeric" autocomplete="cc-csc" required maxlength="4" placeholder="123" aria-describedby="card-cvc-error">
        <p class="field-error" id="card-cvc-error"></p>
      </div>
    </div>
`;

/** Stripe.js's Payment Element (mounted by card-update.js). */
const STRIPE_ELEMENT = `    <div id="payment-element" class="stripe-element"></div>
    <p class="field-error" id="payment-element-error" role="alert"></p>
`;

/** `stripeJsUrl`: a Stripe merchant's page loads Stripe.js from there (the view names its publishable key). */
export function renderCardUpdatePage(view: CardUpdateView, locale?: string, stripeJsUrl?: string): string {
  const stripeKey = view.stripe?.publishable_key && stripeJsUrl ? view.stripe.publishable_key : null;
  const lines = view.items
    .map((i) => `      <tr><th scope="row" class="item">${esc(i.name)}</th><td class="qty">${esc(i.quantity)}</td><td>${esc(displayMinor(i.unit_amount * i.quantity, view.currency, locale))} <span class="unit">${esc(every(view))}</span></td></tr>`)
    .join('\n');
  const due = view.amount_due ? displayMinor(view.amount_due.amount, view.currency, locale) : null;
  const pastDue = view.status === 'past_due' || view.status === 'unpaid';
  const intro = due && pastDue
    ? `Your last payment of ${due} did not go through. Enter a new card: it is charged ${due} now, and used for your next renewals.`
    : 'Enter a new card for your subscription’s next renewals. Nothing is charged now.';
  const body = `<main id="card-update" class="checkout" data-state="form" data-past-due="${pastDue ? 'true' : 'false'}">
<section class="summary" aria-labelledby="summary-heading">
${view.test_cards.length ? '  <p class="test-badge" id="test-mode-badge">Test mode</p>\n' : ''}  <h1 id="summary-heading">Update your card</h1>
  ${due ? `<p class="amount-due amount-due" id="amount-status" data-kind="due"><span id="amount-label">${pastDue ? 'Amount due' : 'Next payment'}</span> <strong id="amount-due">${esc(due)}</strong></p>` : ''}
  <p id="subscription-status">Subscription status: <strong id="status-text">${esc(view.status.replace('_', ' '))}</strong></p>
  <p id="current-card">Card on file: <strong id="current-card-text">${esc(cardText(view.payment_method))}</strong></p>
  <table class="line-items">
    <caption>Your subscription</caption>
    <thead><tr><th scope="col">Item</th><th scope="col" class="qty">Qty</th><th scope="col">Amount</th></tr></thead>
    <tbody>
${lines}
    </tbody>
  </table>
</section>
<section class="payment" aria-label="New card">
  <div id="error" class="error" role="alert"></div>
  <div id="status" class="status" role="status" aria-live="polite"></div>
  <div id="notice" class="notice" hidden>
    <h2 id="notice-heading" tabindex="-1"></h2>
    <p id="notice-text"></p>
  </div>
  <p id="intro">${esc(intro)}</p>
  <form id="card-form" class="card-form" method="post" novalidate aria-labelledby="card-heading"${stripeKey ? ` data-stripe-key="${esc(stripeKey)}" data-currency="${esc(view.currency.toLowerCase())}"` : ''}>
    <h2 id="card-heading">New card</h2>
${stripeKey ? STRIPE_ELEMENT : CARD_FIELDS}    <button type="submit" id="save-button" class="primary">${due && pastDue ? `Save card and pay ${esc(due)}` : 'Save card'}</button>
  </form>
${testCards(view)}
</section>
<footer class="footer"><p>Payments by Handoff. Your card details go only to the payment processor.</p></footer>
</main>`;
  const stripeScript = stripeKey ? `<script src="${esc(stripeJsUrl!)}" defer></script>\n` : '';
  return layout('Update your card', body, `${stripeScript}<script src="/checkout/assets/card-update.js" defer></script>\n`);
}

export function renderCardUpdateMessage(title: string, text: string): string {
  return layout(title, `<main class="checkout message" id="card-update-message"><section class="notice"><h1 id="message-heading">${esc(title)}</h1><p id="message-text">${esc(text)}</p></section></main>`);
}

/** The message page for a refusal code of the view (the JSON API answers the code itself). */
export function refusalPage(code: string): { status: number; html: string } {
  switch (code) {
    case 'CARD_UPDATE_LINK_EXPIRED':
      return { status: 410, html: renderCardUpdateMessage('This link has expired', 'Ask the merchant for a new link to update your card. Nothing was changed.') };
    case 'CARD_UPDATE_LINK_USED':
      return { status: 410, html: renderCardUpdateMessage('This link was already used', 'Your card was already updated with this link. Ask the merchant for a new link to change it again.') };
    case 'SUBSCRIPTION_ALREADY_CANCELED':
      return { status: 409, html: renderCardUpdateMessage('This subscription has ended', 'It was canceled, so its card cannot change. Nothing was charged.') };
    case 'SUBSCRIPTION_CHANGE_UNSUPPORTED':
      return { status: 409, html: renderCardUpdateMessage('Card update not available here', 'This subscription’s card cannot be changed on this page. Please contact the merchant.') };
    case 'SERVICE_UNAVAILABLE':
      return { status: 503, html: renderCardUpdateMessage('Temporarily unavailable', 'We could not load this page just now. Nothing was changed. Please reload the page in a moment.') };
    default:
      return { status: 404, html: renderCardUpdateMessage('Link not valid', 'This card update link is not valid. Check that you opened the whole link, or ask the merchant for a new one.') };
  }
}
