// A checkout session as the calculation engine prices it: its lines, the shipping address as a
// destination, the shipping selection, the promotion codes, the customer (for per-customer
// promotion limits) and the shipment plan. One function, so calculate, validate, the shipping
// options and the promotion check all price the same session the same way.
import type { SessionPricingInput } from '../calculation/index.js';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import type { LineItemEntity } from '../checkout-session/line-item.entity.js';

/** Under the SINGLE shipment plan every line ships from this one (virtual) location. */
export const SINGLE_SHIPMENT_LOCATION = 'single';

/** A line's id in calculations: `line_<position + 1>` (positions are fixed at creation). */
export const lineIdOf = (l: Pick<LineItemEntity, 'position'>) => `line_${l.position + 1}`;

/** Who the buyer is, for per-customer promotion limits: the merchant's customer id, else the email (lower case); null when anonymous. */
export function customerKeyOf(cs: Pick<CheckoutSessionEntity, 'customerId' | 'customerEmail'>): string | null {
  if (cs.customerId) return `customer:${cs.customerId}`;
  if (cs.customerEmail) return `email:${cs.customerEmail.trim().toLowerCase()}`;
  return null;
}

export interface PricingOverrides {
  promotionCodes?: string[];
  includeDeliveryDates?: boolean;
}

export function sessionPricingInput(
  cs: CheckoutSessionEntity,
  lines: readonly LineItemEntity[],
  overrides: PricingOverrides = {},
): SessionPricingInput {
  const address = cs.shippingAddress ?? null;
  const selection = cs.selectedShipping ?? null;
  return {
    checkoutSessionId: cs.id,
    merchantId: cs.merchantId,
    currency: cs.currency,
    lines: [...lines]
      .sort((a, b) => a.position - b.position)
      .map((l) => ({
        id: lineIdOf(l),
        name: l.name,
        unitAmountMinor: l.unitAmountMinor,
        quantity: l.quantity,
        offerId: l.offerId,
        // The effective category stored with the line; null (a line older than it): the merchant's default.
        taxCategory: l.taxCategory ?? null,
        fulfilmentLocationId: cs.shipmentPlan === 'SINGLE' ? SINGLE_SHIPMENT_LOCATION : null,
      })),
    destination: address ? { country: address.country, region: address.state, postalCode: address.postalCode } : null,
    selection: selection ? (selection.kind === 'SHIPPING' ? { kind: 'SHIPPING', optionId: selection.id } : { kind: 'PICKUP', locationId: selection.id }) : null,
    promotionCodes: overrides.promotionCodes ?? cs.promotionCodes ?? [],
    customerKey: customerKeyOf(cs),
    includeDeliveryDates: overrides.includeDeliveryDates ?? true,
    paymentCountry: cs.billingAddress?.country ?? address?.country ?? null,
  };
}
