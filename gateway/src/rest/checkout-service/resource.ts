// Seed 003's canonical checkout session resource, built from one GraphQL selection of
// CheckoutSession (RESOURCE_FIELDS): snake_case, amounts as integers in minor units beside the
// session's `currency`, statuses in seed 003's lower case (lifecycleStatus), ISO 8601 times.
// `selected_shipping` carries the label and amount the buyer chose: the current calculation's
// when it priced that choice, else the option as offered now (one more read, selectedShippingLookup).

const ADDRESS_FIELDS = 'name line1 line2 city state postalCode country validation { status problems }';
const M = '{ amountMinor }';

export const RESOURCE_FIELDS = `id mode cartId channel lifecycleStatus clientToken url expiresAt createdAt updatedAt version metadata currency
  owner { type id } captureMode requireBillingAddress promotionCodes calculationStale
  totals { subtotal ${M} discount ${M} tax ${M} shipping ${M} total ${M} }
  customer { email phone customerId saveForLater }
  shippingAddress { ${ADDRESS_FIELDS} } billingAddress { ${ADDRESS_FIELDS} }
  selectedShipping { kind id } reservationId
  calculation { id shipping { kind id label amount ${M} } }
  lineItems { name quantity unitAmount ${M} total ${M} offer { id } taxCategory sku recurring { interval intervalCount trialDays } }
  paymentIntent { id status amount { amountMinor currency } nextAction { type url } }`;

/** The options a selection is looked up in when the calculation did not price it. */
export const SELECTION_LOOKUP = `query RestCheckoutSelection($id: ID!) {
  checkoutSession(id: $id) { shippingOptions { id label amount ${M} } pickupOptions { id name } }
}`;

interface Minor {
  amountMinor: number;
}

export interface AddressJson {
  name: string | null;
  line1: string;
  line2: string | null;
  city: string;
  state: string | null;
  postalCode: string | null;
  country: string;
  validation: { status: string; problems: string[] };
}

export interface SessionJson {
  /** PAYMENT or SUBSCRIPTION. */
  mode?: string;
  id: string;
  cartId: string | null;
  channel: string | null;
  lifecycleStatus: string;
  /** The session's latest inventory reservation. */
  reservationId?: string | null;
  clientToken: string | null;
  url: string;
  expiresAt: string;
  createdAt: string;
  updatedAt: string;
  version: number;
  metadata: Record<string, string> | null;
  currency: string;
  owner: { type: string; id: string | null } | null;
  captureMode: string;
  requireBillingAddress: boolean;
  promotionCodes: string[];
  calculationStale: boolean;
  totals: { subtotal: Minor; discount: Minor; tax: Minor; shipping: Minor; total: Minor };
  customer: { email: string | null; phone: string | null; customerId: string | null; saveForLater: boolean };
  shippingAddress: AddressJson | null;
  billingAddress: AddressJson | null;
  selectedShipping: { kind: string; id: string } | null;
  calculation: { id: string; shipping: { kind: string; id: string; label: string; amount: Minor } | null } | null;
  lineItems: Array<{ name: string; quantity: number; unitAmount: Minor; total: Minor; offer: { id: string } | null; taxCategory: string; sku: string | null; recurring?: { interval: string; intervalCount: number; trialDays: number } | null }>;
  paymentIntent: { id: string; status: string; amount: { amountMinor: number; currency: string }; nextAction: { type: string; url: string | null } | null } | null;
}

export interface SelectionLookup {
  shippingOptions: Array<{ id: string; label: string; amount: Minor }>;
  pickupOptions: Array<{ id: string; name: string }>;
}

export interface SelectedShipping {
  id: string;
  kind: 'shipping' | 'pickup';
  label: string | null;
  amount: number | null;
}

/** The selection's label and amount when the current calculation priced it; undefined when they must be looked up. */
export function pricedSelection(s: SessionJson): SelectedShipping | null | undefined {
  const chosen = s.selectedShipping;
  if (!chosen) return null;
  const priced = s.calculationStale ? null : s.calculation?.shipping;
  if (priced && priced.kind === chosen.kind && priced.id === chosen.id) {
    return { id: chosen.id, kind: kindOf(chosen.kind), label: priced.label, amount: priced.amount.amountMinor };
  }
  return undefined;
}

/** The selection as offered now (label and amount null when it is no longer offered). */
export function lookedUpSelection(s: SessionJson, offered: SelectionLookup | null): SelectedShipping | null {
  const chosen = s.selectedShipping;
  if (!chosen) return null;
  if (chosen.kind === 'PICKUP') {
    const p = offered?.pickupOptions.find((o) => o.id === chosen.id);
    return { id: chosen.id, kind: 'pickup', label: p?.name ?? null, amount: p ? 0 : null };
  }
  const o = offered?.shippingOptions.find((x) => x.id === chosen.id);
  return { id: chosen.id, kind: 'shipping', label: o?.label ?? null, amount: o?.amount.amountMinor ?? null };
}

const kindOf = (kind: string): 'shipping' | 'pickup' => (kind === 'PICKUP' ? 'pickup' : 'shipping');

export function restAddress(a: AddressJson | null) {
  if (!a) return null;
  return { name: a.name, line1: a.line1, line2: a.line2, city: a.city, state: a.state, postal_code: a.postalCode, country: a.country };
}

export function restAddressValidation(a: AddressJson | null) {
  return a ? { status: a.validation.status.toLowerCase(), problems: a.validation.problems } : null;
}

/** Seed 003's resource. `selected` is pricedSelection's or lookedUpSelection's answer. */
export function toResource(s: SessionJson, selected: SelectedShipping | null) {
  const t = s.totals;
  return {
    checkout_id: s.id,
    mode: (s.mode ?? 'PAYMENT').toLowerCase(),
    cart_id: s.cartId,
    owner: s.owner ? { type: s.owner.type.toLowerCase(), id: s.owner.id } : null,
    channel: s.channel,
    status: s.lifecycleStatus.toLowerCase(),
    client_token: s.clientToken,
    calculation_id: s.calculation?.id ?? null,
    calculation_stale: s.calculationStale,
    currency: s.currency,
    line_items: s.lineItems.map((l) => ({
      name: l.name,
      amount: l.unitAmount.amountMinor,
      quantity: l.quantity,
      total: l.total.amountMinor,
      offer_id: l.offer?.id ?? null,
      sku: l.sku,
      tax_category: l.taxCategory,
      recurring: l.recurring ? { interval: l.recurring.interval.toLowerCase(), interval_count: l.recurring.intervalCount, trial_days: l.recurring.trialDays } : null,
    })),
    totals: {
      currency: s.currency,
      sub_total: t.subtotal.amountMinor,
      discount_total: t.discount.amountMinor,
      tax_total: t.tax.amountMinor,
      shipping_total: t.shipping.amountMinor,
      grand_total: t.total.amountMinor,
    },
    customer: {
      email: s.customer.email,
      phone: s.customer.phone,
      customer_id: s.customer.customerId,
      save_for_later: s.customer.saveForLater,
    },
    shipping_address: restAddress(s.shippingAddress),
    billing_address: restAddress(s.billingAddress),
    selected_shipping: selected,
    promotion_codes: s.promotionCodes,
    // The latest inventory reservation (seed 003 §5): GET /v1/checkout/reservations/{id} says whether it still holds.
    reservation_id: s.reservationId ?? null,
    payment_intent: s.paymentIntent
      ? {
          id: s.paymentIntent.id,
          status: s.paymentIntent.status.toLowerCase(),
          amount: s.paymentIntent.amount.amountMinor,
          currency: s.paymentIntent.amount.currency,
          next_action: s.paymentIntent.nextAction ? { type: s.paymentIntent.nextAction.type, url: s.paymentIntent.nextAction.url } : null,
        }
      : null,
    url: s.url,
    expires_at: s.expiresAt,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    version: s.version,
    metadata: s.metadata ?? {},
    options: { capture_mode: s.captureMode === 'MANUAL' ? 'manual' : 'auto', require_billing_address: s.requireBillingAddress },
  };
}

export type CheckoutResource = ReturnType<typeof toResource>;
