// The GraphQL operations the hosted checkout page sends for what the buyer fills in (issue 18,
// part B1): its view of the session (customer, addresses, shipping options with delivery dates,
// pickup locations, the selection, the shipment plan, promotion codes, the calculation and its
// validation) and the mutations that set them, each returning that view. A client secret may
// select exactly these fields beside the payment ones (auth/client-allow-list.ts; its spec checks
// that every allowed field is used here or by the payment operations, and that these pass).
const MONEY = '{ amountMinor currency amount }';
const ESTIMATE = '{ minDays maxDays earliestDate latestDate }';
const ADDRESS = `{ name line1 line2 city state postalCode country validation { status problems } }`;

/** The buyer's view of the session as every buyer operation returns it. */
export const BUYER_SESSION_FIELDS = `
  id status expiresAt calculationStale promotionCodes
  customer { email phone saveForLater }
  shippingAddress ${ADDRESS}
  billingAddress ${ADDRESS}
  selectedShipping { kind id }
  totals { subtotal ${MONEY} discount ${MONEY} tax ${MONEY} shipping ${MONEY} total ${MONEY} }
  calculation {
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

export const BUYER_OPERATIONS: readonly string[] = [BUYER_SESSION_QUERY, ...Object.values(BUYER_MUTATIONS)];
