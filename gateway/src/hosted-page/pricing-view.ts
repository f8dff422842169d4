// The buyer's part of the hosted page's public view (issue 18, item 8): the session's current
// calculation (lines, a discount per promotion, shipping, tax added or included, the grand total),
// the addresses and the delivery choice, the shipping options and pickup locations the buyer may
// pick from, and what stands in the way of paying (`blockers`). Built from the page's GraphQL
// answers (buyer-operations.ts PAGE_BUYER_FIELDS, BUYER_OPTIONS_QUERY); page-html.ts renders it
// on the server and assets/checkout-buyer.js again after each change. No ids of offers or
// promotions, no contact details.
import { moneyView, type MoneyView } from './money-format.js';

export interface MoneyData {
  amountMinor: number;
  currency: string;
  amount: string;
}

export interface AddressData {
  name: string | null;
  line1: string;
  line2: string | null;
  city: string;
  state: string | null;
  postalCode: string | null;
  country: string;
}

interface EstimateData {
  minDays: number;
  maxDays: number;
  earliestDate: string | null;
  latestDate: string | null;
}

export interface BlockerData {
  code: string;
  message: string;
  promotionCode?: string | null;
  reason?: string | null;
}

export interface CalculationData {
  id: string;
  currency: string;
  pricesIncludeTax: boolean;
  lines: Array<{ id: string; name: string; quantity: number; unitAmount: MoneyData; base: MoneyData; discount: MoneyData; tax: MoneyData; total: MoneyData }>;
  taxLines: Array<{ country: string | null }>;
  shipping: { kind: 'SHIPPING' | 'PICKUP'; id: string; label: string; amount: MoneyData; tax: MoneyData; deliveryEstimate: EstimateData | null } | null;
  promotions: Array<{ code: string | null; automatic: boolean; amount: MoneyData }>;
  totals: Record<'subTotal' | 'discountTotal' | 'taxTotal' | 'shippingTotal' | 'grandTotal' | 'includedTaxTotal', MoneyData>;
  blockers: BlockerData[];
}

/** The buyer's part of the session as SESSION_QUERY reads it (absent in older fixtures: then nothing is priced). */
export interface BuyerData {
  calculationStale?: boolean;
  promotionCodes?: string[];
  requireBillingAddress?: boolean;
  shippingAddress?: AddressData | null;
  billingAddress?: AddressData | null;
  selectedShipping?: { kind: 'SHIPPING' | 'PICKUP'; id: string } | null;
  calculation?: CalculationData | null;
}

/** BUYER_OPTIONS_QUERY's answer: read only while the buyer can still choose. */
export interface OptionsData {
  shippingOptions: Array<{ id: string; label: string; carrier: string | null; free: boolean; amount: MoneyData; deliveryEstimate: EstimateData | null }>;
  pickupOptions: Array<{ id: string; name: string; country: string; region: string | null; postalCode: string | null }>;
}

export interface EstimateView {
  min_days: number;
  max_days: number;
  earliest_date: string | null;
  latest_date: string | null;
  /** e.g. "2–4 business days (Tue 9 Dec – Fri 12 Dec)". */
  display: string;
}

export interface PricingView {
  calculation_id: string;
  prices_include_tax: boolean;
  /** "VAT" where every taxed country calls it so, else "Tax". */
  tax_label: string;
  lines: Array<{ id: string; name: string; quantity: number; unit_amount: MoneyView; amount_subtotal: MoneyView; amount_discount: MoneyView; amount_tax: MoneyView; amount_total: MoneyView }>;
  /** One per promotion applied, with its share of the order. */
  discounts: Array<{ code: string | null; automatic: boolean; label: string; amount: MoneyView }>;
  shipping: { kind: 'shipping' | 'pickup'; id: string; label: string; amount: MoneyView; price_display: string; tax: MoneyView; delivery_estimate: EstimateView | null } | null;
  totals: Record<'subtotal' | 'discount' | 'tax' | 'shipping' | 'total' | 'included_tax', MoneyView>;
}

export interface AddressView {
  name: string | null;
  line1: string;
  line2: string | null;
  city: string;
  state: string | null;
  postal_code: string | null;
  country: string;
}

export interface BuyerView {
  /** The current calculation; null before the first one (an unpriced session then shows its lines and total). */
  pricing: PricingView | null;
  /** What the Pay button charges: the calculation's grand total, else the session's total. */
  amount_due: MoneyView;
  promotion_codes: string[];
  /** Whether the page asks for an address (for delivery, or to locate tax). */
  needs_address: boolean;
  /** Whether the buyer chooses a shipping option or a pickup location. */
  needs_shipping: boolean;
  require_billing_address: boolean;
  shipping_address: AddressView | null;
  billing_address: AddressView | null;
  selected_shipping: { kind: 'shipping' | 'pickup'; id: string } | null;
  shipping_options: Array<{ id: string; label: string; carrier: string | null; free: boolean; amount: MoneyView; price_display: string; delivery_estimate: EstimateView | null }>;
  pickup_options: Array<{ id: string; name: string; country: string; region: string | null; postal_code: string | null }>;
  /** What stands in the way of paying now; the page pays only when empty. */
  blockers: Array<{ code: string; message: string }>;
}

/** The promotion's refusal in the buyer's words, by its reason (`promotion:<reason>` or `<reason>`). */
export function promotionDisplay(code: string, reason: string | null | undefined): string {
  switch ((reason ?? '').replace(/^promotion:/, '')) {
    case 'unknown':
      return `${code} is not a valid code.`;
    case 'expired':
      return `The code ${code} has expired.`;
    case 'not_started':
      return `The code ${code} is not active yet.`;
    case 'exhausted':
      return `The code ${code} has been used up.`;
    case 'customer_limit':
      return `You have already used the code ${code}.`;
    case 'customer_required':
      return `The code ${code} is limited per customer and cannot be used on this checkout.`;
    case 'below_minimum':
      return `Your order is below the minimum for the code ${code}.`;
    case 'currency':
      return `The code ${code} cannot be used in this currency.`;
    case 'not_applicable':
      return `The code ${code} does not apply to the items in your order.`;
    default:
      return `The code ${code} cannot be used.`;
  }
}

// Countries whose consumption tax is called VAT (the UK, the EU and its neighbours).
const VAT_COUNTRIES = new Set(
  'GB IM AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE NO IS LI CH MC'.split(' '),
);

export function taxLabel(countries: ReadonlyArray<string | null>): string {
  const known = countries.filter((c): c is string => !!c);
  return known.length > 0 && known.every((c) => VAT_COUNTRIES.has(c.toUpperCase())) ? 'VAT' : 'Tax';
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function dateDisplay(date: string, locale: string | undefined): string {
  try {
    return new Intl.DateTimeFormat(locale ?? 'en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));
  } catch {
    return date;
  }
}

export function estimateView(e: EstimateData | null | undefined, locale?: string): EstimateView | null {
  if (!e) return null;
  const days = e.minDays === e.maxDays ? `${e.maxDays} business day${e.maxDays === 1 ? '' : 's'}` : `${e.minDays}–${e.maxDays} business days`;
  let dates = '';
  if (e.earliestDate && e.latestDate && DATE.test(e.earliestDate) && DATE.test(e.latestDate)) {
    const from = dateDisplay(e.earliestDate, locale);
    dates = e.earliestDate === e.latestDate ? ` (${from})` : ` (${from} – ${dateDisplay(e.latestDate, locale)})`;
  }
  return { min_days: e.minDays, max_days: e.maxDays, earliest_date: e.earliestDate, latest_date: e.latestDate, display: `${days}${dates}` };
}

const priceDisplay = (m: MoneyView) => (m.amount_minor === 0 ? 'Free' : m.display);

export function pricingView(c: CalculationData, locale?: string): PricingView {
  const m = (x: MoneyData) => moneyView(x, locale);
  const t = c.totals;
  const shipping = c.shipping
    ? {
        kind: c.shipping.kind === 'PICKUP' ? ('pickup' as const) : ('shipping' as const),
        id: c.shipping.id,
        label: c.shipping.label,
        amount: m(c.shipping.amount),
        price_display: priceDisplay(m(c.shipping.amount)),
        tax: m(c.shipping.tax),
        delivery_estimate: estimateView(c.shipping.deliveryEstimate, locale),
      }
    : null;
  return {
    calculation_id: c.id,
    prices_include_tax: c.pricesIncludeTax,
    tax_label: taxLabel(c.taxLines.map((l) => l.country)),
    lines: c.lines.map((l) => ({
      id: l.id,
      name: l.name,
      quantity: l.quantity,
      unit_amount: m(l.unitAmount),
      amount_subtotal: m(l.base),
      amount_discount: m(l.discount),
      amount_tax: m(l.tax),
      amount_total: m(l.total),
    })),
    discounts: c.promotions
      .filter((p) => p.amount.amountMinor > 0)
      .map((p) => ({ code: p.code, automatic: p.automatic, label: p.code ? `Discount (${p.code})` : 'Discount', amount: m(p.amount) })),
    shipping,
    totals: {
      subtotal: m(t.subTotal),
      discount: m(t.discountTotal),
      tax: m(t.taxTotal),
      shipping: m(t.shippingTotal),
      total: m(t.grandTotal),
      included_tax: m(t.includedTaxTotal),
    },
  };
}

const addressView = (a: AddressData | null | undefined): AddressView | null =>
  a ? { name: a.name, line1: a.line1, line2: a.line2, city: a.city, state: a.state, postal_code: a.postalCode, country: a.country } : null;

/** A blocker in the buyer's words (a promotion code's refusal says why). */
export function blockerMessage(b: BlockerData): string {
  if (b.code === 'promotion_invalid' && b.promotionCode) return promotionDisplay(b.promotionCode, b.reason);
  return b.message;
}

/** What stands in the way of paying: the calculation's blockers, a stale calculation, a missing required billing address. */
export function blockersOf(s: BuyerData): Array<{ code: string; message: string }> {
  const out = (s.calculation?.blockers ?? []).map((b) => ({ code: b.code, message: blockerMessage(b) }));
  if (s.calculation && s.calculationStale) {
    out.push({ code: 'calculation_stale', message: 'The price could not be brought up to date. Reload the page to try again.' });
  }
  if (s.requireBillingAddress && !s.billingAddress) out.push({ code: 'billing_address_required', message: 'Enter your billing address.' });
  return out;
}

export function buyerView(s: BuyerData, total: MoneyView, options: OptionsData | null, locale?: string): BuyerView {
  const m = (x: MoneyData) => moneyView(x, locale);
  const c = s.calculation ?? null;
  const pricing = c ? pricingView(c, locale) : null;
  const blockerCodes = new Set((c?.blockers ?? []).map((b) => b.code));
  const shippingOptions = (options?.shippingOptions ?? []).map((o) => {
    const amount = m(o.amount);
    return { id: o.id, label: o.label, carrier: o.carrier, free: o.free, amount, price_display: o.free ? 'Free' : priceDisplay(amount), delivery_estimate: estimateView(o.deliveryEstimate, locale) };
  });
  const pickupOptions = (options?.pickupOptions ?? []).map((p) => ({ id: p.id, name: p.name, country: p.country, region: p.region, postal_code: p.postalCode }));
  const needsShipping =
    shippingOptions.length > 0 || pickupOptions.length > 0 || !!s.selectedShipping || !!c?.shipping || blockerCodes.has('shipping_not_selected');
  return {
    pricing,
    amount_due: pricing ? pricing.totals.total : total,
    promotion_codes: s.promotionCodes ?? [],
    needs_address: needsShipping || blockerCodes.has('address_invalid') || !!s.shippingAddress,
    needs_shipping: needsShipping,
    require_billing_address: s.requireBillingAddress ?? false,
    shipping_address: addressView(s.shippingAddress),
    billing_address: addressView(s.billingAddress),
    selected_shipping: s.selectedShipping ? { kind: s.selectedShipping.kind === 'PICKUP' ? 'pickup' : 'shipping', id: s.selectedShipping.id } : null,
    shipping_options: shippingOptions,
    pickup_options: pickupOptions,
    blockers: blockersOf(s),
  };
}

/** "Includes £1.67 VAT" for prices including tax (empty when there is none). */
export function includedTaxNote(p: PricingView): string {
  return p.totals.included_tax.amount_minor > 0 ? `Includes ${p.totals.included_tax.display} ${p.tax_label}` : '';
}
