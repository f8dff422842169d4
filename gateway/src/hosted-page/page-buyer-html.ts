// The buyer's parts of the hosted page, rendered on the server from the public view (issue 18,
// item 8): the priced order summary (lines, a discount per promotion, shipping, tax added or
// "Includes £X VAT", the total), the promotion code form, the delivery section (address form,
// shipping options and pickup locations), the billing address and the list of what stands in
// the way of paying. assets/checkout-buyer.js renders the same markup again after each change
// (keep the two alike: the class names and ids are its contract).
import type { PublicCheckoutView } from './checkout-api.js';
import { countriesFor, countryOfLocale } from './countries.js';
import { includedTaxNote, type AddressView, type BuyerView, type PricingView } from './pricing-view.js';

export const esc = (value: string | number): string =>
  String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function moneyRow(label: string, display: string, className = ''): string {
  return `<tr${className ? ` class="${className}"` : ''}><th scope="row" colspan="2">${esc(label)}</th><td>${esc(display)}</td></tr>`;
}

const lineRow = (name: string, unit: string, quantity: number, amount: string) =>
  `<tr><th scope="row" class="item"><bdi>${esc(name)}</bdi><span class="unit">${esc(unit)} each</span></th>` +
  `<td class="qty">${esc(quantity)}</td><td>${esc(amount)}</td></tr>`;

/** The summary's lines: the calculation's when there is one, else the session's. */
export function summaryLines(view: PublicCheckoutView): string {
  if (view.pricing) return view.pricing.lines.map((l) => lineRow(l.name, l.unit_amount.display, l.quantity, l.amount_subtotal.display)).join('\n');
  return view.line_items.map((l) => lineRow(l.name, l.unit_amount.display, l.quantity, l.amount_total.display)).join('\n');
}

function pricedTotals(p: PricingView): string {
  const rows = [moneyRow('Subtotal', p.totals.subtotal.display)];
  for (const d of p.discounts) rows.push(moneyRow(d.label, `−${d.amount.display}`, 'discount'));
  if (p.shipping) rows.push(moneyRow(`${p.shipping.kind === 'pickup' ? 'Pickup' : 'Shipping'} (${p.shipping.label})`, p.shipping.price_display, 'shipping'));
  if (!p.prices_include_tax && p.totals.tax.amount_minor !== 0) rows.push(moneyRow(p.tax_label, p.totals.tax.display, 'tax'));
  rows.push(moneyRow('Total', p.totals.total.display, 'total'));
  const included = p.prices_include_tax ? includedTaxNote(p) : '';
  if (included) rows.push(`<tr class="included-tax"><td colspan="3">${esc(included)}</td></tr>`);
  return rows.join('\n');
}

/** The summary's footer rows: the calculation's totals, else the session's (as before pricing). */
export function summaryTotals(view: PublicCheckoutView): string {
  if (view.pricing) return pricedTotals(view.pricing);
  const t = view.totals;
  const extra = (['discount', 'tax', 'shipping'] as const)
    .filter((k) => t[k].amount_minor !== 0)
    .map((k) => moneyRow(k === 'discount' ? 'Discount' : k === 'tax' ? 'Tax' : 'Shipping', k === 'discount' ? `−${t[k].display}` : t[k].display));
  return [moneyRow('Subtotal', t.subtotal.display), ...extra, moneyRow('Total', t.total.display, 'total')].join('\n');
}

export function promotionCodes(codes: readonly string[]): string {
  return codes
    .map(
      (c) => `<li><span class="code">${esc(c)}</span> <button type="button" class="link remove-code" data-code="${esc(c)}" aria-label="Remove code ${esc(c)}">Remove</button></li>`,
    )
    .join('');
}

/** The promotion code form, while the buyer can still change the session. */
export function promotionForm(view: PublicCheckoutView): string {
  return `<div id="promotion" class="promotion buyer-part">
    <ul id="promotion-codes" class="promotion-codes" aria-label="Applied codes">${promotionCodes(view.promotion_codes)}</ul>
    <details id="promotion-details">
      <summary>Add a promotion code</summary>
      <form id="promotion-form" class="promotion-form" novalidate>
        <label for="promotion-code">Promotion code</label>
        <div class="inline">
          <input id="promotion-code" name="code" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="64" aria-describedby="promotion-code-error">
          <button type="submit" id="promotion-apply" class="secondary-action">Apply</button>
        </div>
        <p class="field-error" id="promotion-code-error" role="alert"></p>
      </form>
    </details>
  </div>`;
}

function addressFields(prefix: 'shipping' | 'billing', address: AddressView | null, locale: string | undefined): string {
  const v = (x: string | null | undefined) => esc(x ?? '');
  const field = (name: string, label: string, value: string | null | undefined, autocomplete: string, max: number, required: boolean) =>
    `<div class="field">
      <label for="${prefix}-${name}">${esc(label)}</label>
      <input id="${prefix}-${name}" name="${name}" autocomplete="${prefix} ${autocomplete}" maxlength="${max}"${required ? ' required' : ''} value="${v(value)}" aria-describedby="${prefix}-${name}-error">
      <p class="field-error" id="${prefix}-${name}-error"></p>
    </div>`;
  const selected = address?.country ?? countryOfLocale(locale) ?? '';
  const countries = countriesFor(locale)
    .map((c) => `<option value="${c.code}"${c.code === selected ? ' selected' : ''}>${esc(c.name)}</option>`)
    .join('');
  return [
    field('name', 'Full name', address?.name, 'name', 200, false),
    field('line1', 'Address line 1', address?.line1, 'address-line1', 200, true),
    field('line2', 'Address line 2 (optional)', address?.line2, 'address-line2', 200, false),
    field('city', 'Town or city', address?.city, 'address-level2', 100, true),
    field('state', 'County, state or region (optional)', address?.state, 'address-level1', 100, false),
    field('postal-code', 'Postal code', address?.postal_code, 'postal-code', 20, false),
    `<div class="field">
      <label for="${prefix}-country">Country</label>
      <select id="${prefix}-country" name="country" autocomplete="${prefix} country" required aria-describedby="${prefix}-country-error">
        <option value=""${selected ? '' : ' selected'}>Choose a country</option>${countries}
      </select>
      <p class="field-error" id="${prefix}-country-error"></p>
    </div>`,
  ].join('\n');
}

/** The shipping options and pickup locations as radio buttons (the selected one checked). */
export function shippingChoices(view: BuyerView): string {
  const selected = view.selected_shipping ? `${view.selected_shipping.kind}:${view.selected_shipping.id}` : '';
  const choice = (value: string, label: string, price: string, detail: string) => {
    const id = `choice-${value.replace(/[^A-Za-z0-9_-]/g, '-')}`;
    return `<div class="choice"><input type="radio" name="shipping-choice" id="${esc(id)}" value="${esc(value)}"${value === selected ? ' checked' : ''}>` +
      `<label for="${esc(id)}"><span class="choice-label">${esc(label)}</span><span class="choice-price">${esc(price)}</span>` +
      `${detail ? `<span class="choice-detail">${esc(detail)}</span>` : ''}</label></div>`;
  };
  return [
    ...view.shipping_options.map((o) =>
      choice(`shipping:${o.id}`, o.label, o.price_display, [o.carrier, o.delivery_estimate?.display].filter(Boolean).join(' · ')),
    ),
    ...view.pickup_options.map((p) => choice(`pickup:${p.id}`, `Collect from ${p.name}`, 'Free', [p.postal_code, p.region].filter(Boolean).join(', '))),
  ].join('\n');
}

/** The delivery section: the address (for delivery, or to locate tax) and the delivery choice. */
export function deliverySection(view: PublicCheckoutView, locale: string | undefined): string {
  const choices = shippingChoices(view);
  return `<section id="delivery" class="delivery buyer-part" aria-labelledby="delivery-heading"${view.needs_address ? '' : ' hidden'}>
  <h2 id="delivery-heading">${view.needs_shipping ? 'Delivery' : 'Your address'}</h2>
  <form id="shipping-address-form" class="address-form" novalidate aria-labelledby="shipping-address-legend" data-saved="${view.shipping_address ? 'true' : 'false'}">
    <p class="form-legend" id="shipping-address-legend">${view.needs_shipping ? 'Shipping address' : 'Address'}</p>
${addressFields('shipping', view.shipping_address, locale)}
    <button type="submit" id="shipping-address-save" class="secondary-action">${view.shipping_address ? 'Update address' : 'Save address'}</button>
  </form>
  <fieldset id="shipping-choices" class="choices"${view.needs_shipping ? '' : ' hidden'}>
    <legend>Delivery option</legend>
    <div id="shipping-choice-list">${choices}</div>
    <p id="shipping-choices-empty" class="hint"${choices ? ' hidden' : ''}>Enter your address to see the delivery options.</p>
    <p class="field-error" id="shipping-choice-error" role="alert"></p>
  </fieldset>
</section>`;
}

/** The billing address, where the merchant requires one. */
export function billingSection(view: PublicCheckoutView, locale: string | undefined): string {
  const same = view.needs_address && !view.billing_address;
  return `<section id="billing" class="billing buyer-part" aria-labelledby="billing-heading"${view.require_billing_address ? '' : ' hidden'}>
  <h2 id="billing-heading">Billing address</h2>
  <p class="checkbox"${view.needs_address ? '' : ' hidden'}><input type="checkbox" id="billing-same"${same ? ' checked' : ''}> <label for="billing-same">Same as the shipping address</label></p>
  <form id="billing-address-form" class="address-form" novalidate aria-label="Billing address"${same ? ' hidden' : ''}>
${addressFields('billing', view.billing_address, locale)}
    <button type="submit" id="billing-address-save" class="secondary-action">${view.billing_address ? 'Update billing address' : 'Save billing address'}</button>
  </form>
</section>`;
}

export function blockerItems(view: BuyerView): string {
  return view.blockers.map((b) => `<li data-code="${esc(b.code)}">${esc(b.message)}</li>`).join('');
}

/** What stands in the way of paying, beside the (then disabled) Pay button. */
export function blockersBox(view: BuyerView): string {
  return `<div id="blockers" class="blockers" aria-live="polite"${view.blockers.length ? '' : ' hidden'}>
    <p id="blockers-heading">Before you can pay:</p>
    <ul id="blocker-list" aria-labelledby="blockers-heading">${blockerItems(view)}</ul>
  </div>`;
}
