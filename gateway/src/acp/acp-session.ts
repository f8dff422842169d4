// A Handoff checkout session as ACP's CheckoutSession (spec 2026-04-17, schema CheckoutSessionBase):
// the lines (item id = offer id) with their totals from the current calculation, the session's
// totals, the merchant's shipping options as fulfilment options (digital when nothing ships), the
// buyer and fulfilment details, the calculation's blockers as messages, the status (acpStatus,
// README's mapping), the payment handler (Handoff's delegated payment) and, once complete, the order.
import { ACP_VERSION } from './acp-http.js';

export const SESSION_FIELDS = `
  id acpStatus paymentIntentId currency url expiresAt createdAt updatedAt merchant { id }
  lineItems { name quantity unitAmount { amountMinor } total { amountMinor } offer { id } }
  calculation { lines { offerId quantity unitAmount { amountMinor } base { amountMinor } discount { amountMinor } tax { amountMinor } total { amountMinor } } blockers { code message } }
  calculationStale
  totals { subtotal { amountMinor } discount { amountMinor } tax { amountMinor } shipping { amountMinor } total { amountMinor } }
  customer { email phone }
  shippingAddress { name line1 line2 city state postalCode country }
  shippingOptions(includeEstimatedDeliveryDates: true) { id label carrier amount { amountMinor } deliveryEstimate { minDays maxDays earliestDate latestDate } }
  selectedShipping { kind id }
`;

type Amount = { amountMinor: number };
export interface SessionJson {
  id: string;
  acpStatus: string;
  paymentIntentId: string | null;
  currency: string;
  url: string;
  expiresAt: string;
  createdAt: string;
  updatedAt: string;
  merchant: { id: string };
  lineItems: Array<{ name: string; quantity: number; unitAmount: Amount; total: Amount; offer: { id: string } | null }>;
  calculation: {
    lines: Array<{ offerId: string | null; quantity: number; unitAmount: Amount; base: Amount; discount: Amount; tax: Amount; total: Amount }>;
    blockers: Array<{ code: string; message: string }>;
  } | null;
  calculationStale: boolean;
  totals: { subtotal: Amount; discount: Amount; tax: Amount; shipping: Amount; total: Amount };
  customer: { email: string | null; phone: string | null };
  shippingAddress: { name: string | null; line1: string; line2: string | null; city: string; state: string | null; postalCode: string | null; country: string } | null;
  shippingOptions: Array<{ id: string; label: string; carrier: string | null; amount: Amount; deliveryEstimate: { minDays: number; maxDays: number; earliestDate: string | null; latestDate: string | null } | null }>;
  selectedShipping: { kind: 'SHIPPING' | 'PICKUP'; id: string } | null;
}

const DIGITAL = 'digital';
const total = (type: string, display_text: string, amount: number) => ({ type, display_text, amount });

// A calculation blocker as ACP's MessageError (code, param).
const BLOCKERS: Record<string, { code: string; param: string }> = {
  address_invalid: { code: 'invalid', param: '$.fulfillment_details.address' },
  shipping_not_selected: { code: 'missing', param: '$.selected_fulfillment_options' },
  inventory_shortfall: { code: 'out_of_stock', param: '$.line_items' },
  promotion_invalid: { code: 'coupon_invalid', param: '$.discounts' },
  payment_method_not_supported: { code: 'unsupported', param: '$.payment_data' },
  tax_mismatch: { code: 'invalid', param: '$.line_items' },
};

export interface AcpView {
  /** Absolute URL of the delegated payment route (the payment handler's config). */
  delegatePaymentUrl: string;
  /** Messages the route adds (a detail it could not apply). */
  messages?: Array<Record<string, unknown>>;
  order?: { id: string; permalink_url: string } | null;
}

/** Whether the session ships: it has shipping options or a calculation asking for an address or an option. */
function ships(s: SessionJson): boolean {
  if (s.shippingOptions.length > 0 || s.selectedShipping) return true;
  return (s.calculation?.blockers ?? []).some((b) => b.code === 'address_invalid' || b.code === 'shipping_not_selected');
}

export function toAcpSession(s: SessionJson, view: AcpView): Record<string, unknown> {
  const calc = s.calculation && !s.calculationStale ? s.calculation : null;
  const itemIds = s.lineItems.map((l) => l.offer?.id ?? '');
  const line_items = s.lineItems.map((l, i) => {
    const c = calc?.lines[i];
    const base = c ? c.base.amountMinor : l.total.amountMinor;
    const discount = c ? c.discount.amountMinor : 0;
    const tax = c ? c.tax.amountMinor : 0;
    return {
      id: `li_${i + 1}`,
      item: { id: itemIds[i]!, name: l.name, unit_amount: l.unitAmount.amountMinor },
      quantity: l.quantity,
      name: l.name,
      unit_amount: l.unitAmount.amountMinor,
      product_id: itemIds[i]!,
      totals: [
        total('items_base_amount', 'Item(s) total', base),
        total('items_discount', 'Discount', discount),
        total('subtotal', 'Subtotal', base - discount),
        total('tax', 'Tax', tax),
        total('total', 'Total', c ? c.total.amountMinor : base - discount + tax),
      ],
    };
  });
  const t = s.totals;
  const totals = [
    total('items_base_amount', 'Item(s) total', t.subtotal.amountMinor),
    total('items_discount', 'Discount', t.discount.amountMinor),
    total('subtotal', 'Subtotal', t.subtotal.amountMinor - t.discount.amountMinor),
    total('fulfillment', 'Fulfillment', t.shipping.amountMinor),
    total('tax', 'Tax', t.tax.amountMinor),
    total('total', 'Total', t.total.amountMinor),
  ];
  const physical = ships(s);
  const fulfillment_options = physical
    ? s.shippingOptions.map((o) => ({
        type: 'shipping',
        id: o.id,
        title: o.label,
        ...(o.carrier ? { carrier: o.carrier } : {}),
        ...(o.deliveryEstimate ? { description: `Arrives in ${o.deliveryEstimate.minDays}-${o.deliveryEstimate.maxDays} business days` } : {}),
        ...(o.deliveryEstimate?.earliestDate ? { earliest_delivery_time: `${o.deliveryEstimate.earliestDate.slice(0, 10)}T00:00:00Z` } : {}),
        ...(o.deliveryEstimate?.latestDate ? { latest_delivery_time: `${o.deliveryEstimate.latestDate.slice(0, 10)}T23:59:59Z` } : {}),
        totals: [total('total', o.label, o.amount.amountMinor)],
      }))
    : [{ type: 'digital', id: DIGITAL, title: 'Digital delivery', totals: [total('total', 'Digital delivery', 0)] }];
  const selected_fulfillment_options = physical
    ? s.selectedShipping?.kind === 'SHIPPING'
      ? [{ type: 'shipping', option_id: s.selectedShipping.id, item_ids: itemIds }]
      : []
    : [{ type: 'digital', option_id: DIGITAL, item_ids: itemIds }];
  const messages: Array<Record<string, unknown>> = [...(view.messages ?? [])];
  const open = s.acpStatus === 'not_ready_for_payment' || s.acpStatus === 'ready_for_payment';
  if (open) {
    for (const b of calc?.blockers ?? []) {
      const m = BLOCKERS[b.code] ?? { code: 'invalid', param: '$' };
      messages.push({ type: 'error', code: m.code, param: m.param, severity: 'high', resolution: 'recoverable', content_type: 'plain', content: b.message });
    }
  }
  if (s.acpStatus === 'canceled') messages.push({ type: 'info', content_type: 'plain', content: 'Checkout session has been canceled.' });
  const a = s.shippingAddress;
  const email = s.customer.email;
  const fulfillment_details =
    a || email || s.customer.phone
      ? {
          ...(a?.name ? { name: a.name } : {}),
          ...(s.customer.phone ? { phone_number: s.customer.phone } : {}),
          ...(email ? { email } : {}),
          ...(a
            ? { address: { name: a.name ?? '', line_one: a.line1, ...(a.line2 ? { line_two: a.line2 } : {}), city: a.city, state: a.state ?? '', country: a.country, postal_code: a.postalCode ?? '' } }
            : {}),
        }
      : undefined;
  return {
    id: s.id,
    protocol: { version: ACP_VERSION },
    capabilities: {
      payment: {
        handlers: [
          {
            id: 'handoff_delegated_card',
            name: 'dev.acp.tokenized.card',
            display_name: 'Card (delegated payment)',
            version: ACP_VERSION,
            spec: 'https://acp.dev/handlers/tokenized.card',
            requires_delegate_payment: true,
            requires_pci_compliance: false,
            psp: 'handoff',
            config_schema: 'https://acp.dev/schemas/handlers/tokenized.card/config.json',
            instrument_schemas: ['https://acp.dev/schemas/handlers/tokenized.card/instrument.json'],
            config: { merchant_id: s.merchant.id, delegate_payment_url: view.delegatePaymentUrl },
          },
        ],
      },
    },
    ...(email ? { buyer: { email, ...(s.customer.phone ? { phone_number: s.customer.phone } : {}) } } : {}),
    status: s.acpStatus,
    currency: s.currency.toLowerCase(),
    line_items,
    ...(fulfillment_details ? { fulfillment_details } : {}),
    fulfillment_options,
    selected_fulfillment_options,
    totals,
    messages,
    links: [],
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    expires_at: s.expiresAt,
    continue_url: s.url,
    ...(view.order ? { order: { type: 'order', id: view.order.id, checkout_session_id: s.id, permalink_url: view.order.permalink_url, status: 'confirmed' } } : {}),
  };
}
