// The GraphQL operations the hosted checkout page sends for what the buyer fills in (issue 18,
// part B1): its view of the session (customer, addresses, shipping options with delivery dates,
// pickup locations, the selection, the shipment plan, promotion codes, the calculation and its
// validation) and the mutations that set them, each returning that view. A client secret may
// select exactly these fields beside the payment ones (auth/client-allow-list.ts; its spec checks
// that every allowed field is used here or by the payment operations, and that these pass).
// The page itself (hosted-page.routes.ts → buyer-changes.ts) runs a change, then calculateCheckout,
// then reads its view (SESSION_QUERY with PAGE_BUYER_FIELDS) and BUYER_OPTIONS_QUERY.
const MONEY = '{ amountMinor currency amount }';
const ESTIMATE = '{ minDays maxDays earliestDate latestDate }';
const ADDRESS = `{ name line1 line2 city state postalCode country validation { status problems } }`;

/** A calculation as the buyer sees it: no offer, promotion or provider ids. */
const CALCULATION = `{
    id calculatedAt currency pricesIncludeTax rounding
    lines {
      id name quantity taxCategory taxInclusive fulfilmentLocationId
      unitAmount ${MONEY} base ${MONEY} discount ${MONEY} tax ${MONEY} total ${MONEY}
      adjustments { code amount ${MONEY} }
    }
    taxLines { target lineId country region category basisPoints inclusive taxableBase ${MONEY} amount ${MONEY} }
    shipping { kind id label amount ${MONEY} tax ${MONEY} deliveryEstimate ${ESTIMATE} }
    promotions { code automatic amount ${MONEY} }
    promotionsNotApplied { code reason }
    shipments { fulfilmentLocationId lineIds subTotal ${MONEY} discount ${MONEY} tax ${MONEY} shipping ${MONEY} shippingTax ${MONEY} total ${MONEY} }
    totals { subTotal ${MONEY} discountTotal ${MONEY} taxTotal ${MONEY} shippingTotal ${MONEY} grandTotal ${MONEY} includedTaxTotal ${MONEY} }
    blockers { code message promotionCode reason lineId }
  }`;

/** The buyer's view of the session as every buyer operation returns it. */
export const BUYER_SESSION_FIELDS = `
  id status expiresAt calculationStale promotionCodes
  customer { email phone saveForLater }
  shippingAddress ${ADDRESS}
  billingAddress ${ADDRESS}
  selectedShipping { kind id }
  totals { subtotal ${MONEY} discount ${MONEY} tax ${MONEY} shipping ${MONEY} total ${MONEY} }
  calculation ${CALCULATION}`;

/**
 * What the page's own session view (checkout-api.ts SESSION_QUERY) reads of the buyer's part: the
 * current calculation, the addresses, the selection, the codes and whether a billing address is
 * required. No contact details: the page never shows them.
 */
export const PAGE_BUYER_FIELDS = `
    calculationStale promotionCodes requireBillingAddress
    shippingAddress ${ADDRESS}
    billingAddress ${ADDRESS}
    selectedShipping { kind id }
    calculation ${CALCULATION}`;

/** The shipping options for the session's address (with delivery dates) and the pickup locations: read while the buyer can still choose. */
export const BUYER_OPTIONS_QUERY = `query HostedCheckoutOptions($id: ID!) {
  checkoutSession(id: $id) {
    shippingOptions(includeEstimatedDeliveryDates: true) { id label carrier free amount ${MONEY} deliveryEstimate ${ESTIMATE} }
    pickupOptions { id name country region postalCode }
  }
}`;

/** The page's buyer step: the view, the shipping choices for the address, the plan and the blockers. */
export const BUYER_SESSION_QUERY = `query HostedCheckoutBuyer($id: ID!, $withDates: Boolean) {
  checkoutSession(id: $id) {
    ${BUYER_SESSION_FIELDS}
    shippingOptions(includeEstimatedDeliveryDates: $withDates) { id label carrier serviceCode free amount ${MONEY} deliveryEstimate ${ESTIMATE} }
    pickupOptions { id name country region postalCode }
    shipmentPlan { kind calculated shipments { fulfilmentLocationId lineIds subTotal ${MONEY} discount ${MONEY} tax ${MONEY} shipping ${MONEY} shippingTax ${MONEY} total ${MONEY} } }
    validation { valid blockers { code message promotionCode reason lineId } }
  }
}`;

const mutation = (name: string, field: string, args: string, params: string) =>
  `mutation ${name}($id: ID!, ${params}$expectedVersion: Int) { ${field}(id: $id, ${args}expectedVersion: $expectedVersion) { ${BUYER_SESSION_FIELDS} } }`;

export const BUYER_MUTATIONS = {
  setCustomer: mutation('HostedCheckoutCustomer', 'setCheckoutCustomer', 'customer: $customer, ', '$customer: CheckoutCustomerInput!, '),
  setShippingAddress: mutation('HostedCheckoutShippingAddress', 'setCheckoutShippingAddress', 'address: $address, ', '$address: CheckoutAddressInput!, '),
  setBillingAddress: mutation('HostedCheckoutBillingAddress', 'setCheckoutBillingAddress', 'address: $address, ', '$address: CheckoutAddressInput!, '),
  selectShipping: mutation('HostedCheckoutSelectShipping', 'selectCheckoutShipping', 'selection: $selection, ', '$selection: CheckoutShippingSelectionInput!, '),
  selectShipmentPlan: mutation('HostedCheckoutShipmentPlan', 'selectCheckoutShipmentPlan', 'plan: $plan, ', '$plan: CheckoutShipmentPlanKind!, '),
  applyPromotion: mutation('HostedCheckoutApplyPromotion', 'applyCheckoutPromotion', 'code: $code, ', '$code: String!, '),
  removePromotion: mutation('HostedCheckoutRemovePromotion', 'removeCheckoutPromotion', 'code: $code, ', '$code: String!, '),
  calculate: mutation('HostedCheckoutCalculate', 'calculateCheckout', '', ''),
} as const;

export const BUYER_OPERATIONS: readonly string[] = [BUYER_SESSION_QUERY, BUYER_OPTIONS_QUERY, ...Object.values(BUYER_MUTATIONS)];
