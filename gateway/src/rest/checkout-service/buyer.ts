// Seed 003 §2 and §3 and the promotion codes: what the buyer fills in, over the GraphQL operations.
//   POST   …/sessions/:id/customer · /contact            setCheckoutCustomer
//   POST   …/sessions/:id/shipping-address · /billing-address   setCheckoutShippingAddress / BillingAddress
//   GET    …/sessions/:id/addresses                      both addresses with their validation
//   GET    …/sessions/:id/shipping-options · /pickup-options    the shippingOptions / pickupOptions fields
//   POST   …/sessions/:id/select-shipping · /pickup-location    selectCheckoutShipping
//   POST   …/sessions/:id/promotions · DELETE …/promotions/:code  apply/removeCheckoutPromotion
// Each change answers the session resource; If-Match, when sent, is the version it expects.
import type { Express } from 'express';
import { restHttpStatus } from '@handoff/shared/errors/http-status';
import type { GatewayRouteDeps } from '../../route-deps.js';
import type { ObjectShape } from '../rest-input.js';
import { sendError } from '../rest-http.js';
import { restDeliveryEstimate, type DeliveryEstimateJson } from './calculation-json.js';
import { RESOURCE_FIELDS, restAddress, restAddressValidation, type AddressJson, type SessionJson } from './resource.js';
import { bodyOf, expectedVersion, found, graph, mountRoute, queryFlag, SESSIONS, sendResource, type Call } from './route-kit.js';

const CUSTOMER_BODY: ObjectShape = {
  kind: 'object',
  fields: {
    email: { kind: 'string', max: 320 },
    phone: { kind: 'string', max: 40 },
    customer_id: { kind: 'string', max: 200 },
    save_for_later: { kind: 'boolean' },
  },
};
const ADDRESS_BODY: ObjectShape = {
  kind: 'object',
  fields: {
    name: { kind: 'string', max: 200 },
    line1: { kind: 'string', required: true, max: 200 },
    line2: { kind: 'string', max: 200 },
    city: { kind: 'string', required: true, max: 100 },
    state: { kind: 'string', max: 100 },
    postal_code: { kind: 'string', max: 20 },
    country: { kind: 'string', required: true, max: 2 },
  },
};
const SELECT_SHIPPING_BODY: ObjectShape = {
  kind: 'object',
  fields: {
    shipping_option_id: { kind: 'string', required: true, max: 200 },
    carrier: { kind: 'string', max: 100 },
    service_code: { kind: 'string', max: 100 },
  },
};
const PICKUP_BODY: ObjectShape = { kind: 'object', fields: { pickup_location_id: { kind: 'string', required: true, max: 200 } } };
const PROMOTION_BODY: ObjectShape = { kind: 'object', fields: { code: { kind: 'string', required: true, max: 64 } } };

const SET_CUSTOMER = `mutation RestSetCustomer($id: ID!, $customer: CheckoutCustomerInput!, $v: Int) {
  setCheckoutCustomer(id: $id, customer: $customer, expectedVersion: $v) { ${RESOURCE_FIELDS} } }`;
const SET_SHIPPING_ADDRESS = `mutation RestSetShippingAddress($id: ID!, $address: CheckoutAddressInput!, $v: Int) {
  setCheckoutShippingAddress(id: $id, address: $address, expectedVersion: $v) { ${RESOURCE_FIELDS} } }`;
const SET_BILLING_ADDRESS = `mutation RestSetBillingAddress($id: ID!, $address: CheckoutAddressInput!, $v: Int) {
  setCheckoutBillingAddress(id: $id, address: $address, expectedVersion: $v) { ${RESOURCE_FIELDS} } }`;
const ADDRESS_FIELDS = 'name line1 line2 city state postalCode country validation { status problems }';
const ADDRESSES = `query RestAddresses($id: ID!) { checkoutSession(id: $id) { shippingAddress { ${ADDRESS_FIELDS} } billingAddress { ${ADDRESS_FIELDS} } } }`;
const SHIPPING_OPTIONS = `query RestShippingOptions($id: ID!, $dates: Boolean) { checkoutSession(id: $id) {
  currency shippingOptions(includeEstimatedDeliveryDates: $dates) {
    id label carrier serviceCode free amount { amountMinor } deliveryEstimate { minDays maxDays earliestDate latestDate } } } }`;
const PICKUP_OPTIONS = `query RestPickupOptions($id: ID!) { checkoutSession(id: $id) { pickupOptions { id name country region postalCode } } }`;
const SELECT = `mutation RestSelectShipping($id: ID!, $selection: CheckoutShippingSelectionInput!, $v: Int) {
  selectCheckoutShipping(id: $id, selection: $selection, expectedVersion: $v) { ${RESOURCE_FIELDS} } }`;
const APPLY = `mutation RestApplyPromotion($id: ID!, $code: String!, $v: Int) {
  applyCheckoutPromotion(id: $id, code: $code, expectedVersion: $v) { ${RESOURCE_FIELDS} } }`;
const REMOVE = `mutation RestRemovePromotion($id: ID!, $code: String!, $v: Int) {
  removeCheckoutPromotion(id: $id, code: $code, expectedVersion: $v) { ${RESOURCE_FIELDS} } }`;

interface ShippingOptionJson {
  id: string;
  label: string;
  carrier: string | null;
  serviceCode: string | null;
  free: boolean;
  amount: { amountMinor: number };
  deliveryEstimate: DeliveryEstimateJson | null;
}

const list = <T>(data: T[]) => ({ data, has_more: false, next_cursor: null });

/** Runs a change of the session (a mutation answering RESOURCE_FIELDS) at the If-Match version, and answers the resource. */
async function change(call: Call, mutation: string, field: string, variables: Record<string, unknown>): Promise<void> {
  const expected = expectedVersion(call);
  if (!expected) return;
  const data = await graph<Record<string, SessionJson>>(call, mutation, { id: call.id, v: expected.version, ...variables }, { mutation: true });
  if (data) await sendResource(call, data[field]!);
}

/** The body's keys that were sent (null clears), in the GraphQL input's names. */
function given(body: Record<string, unknown>, names: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(names).filter(([rest]) => rest in body).map(([rest, graphql]) => [graphql, body[rest]]));
}

const sameText = (a: string | null, b: string) => (a ?? '').trim().toLowerCase() === b.trim().toLowerCase();

export function mountBuyerRoutes(app: Express, deps: GatewayRouteDeps): void {
  for (const path of ['customer', 'contact']) {
    mountRoute(app, deps, 'post', `${SESSIONS}/:id/${path}`, async (call) => {
      const body = bodyOf(call, CUSTOMER_BODY);
      if (!body) return;
      const customer = given(body, { email: 'email', phone: 'phone', customer_id: 'customerId', save_for_later: 'saveForLater' });
      await change(call, SET_CUSTOMER, 'setCheckoutCustomer', { customer });
    });
  }

  for (const [path, mutation, field] of [
    ['shipping-address', SET_SHIPPING_ADDRESS, 'setCheckoutShippingAddress'],
    ['billing-address', SET_BILLING_ADDRESS, 'setCheckoutBillingAddress'],
  ] as const) {
    mountRoute(app, deps, 'post', `${SESSIONS}/:id/${path}`, async (call) => {
      const body = bodyOf(call, ADDRESS_BODY);
      if (!body) return;
      const address = given(body, { name: 'name', line1: 'line1', line2: 'line2', city: 'city', state: 'state', postal_code: 'postalCode', country: 'country' });
      await change(call, mutation, field, { address });
    });
  }

  mountRoute(app, deps, 'get', `${SESSIONS}/:id/addresses`, async (call) => {
    const data = await graph<{ checkoutSession: { shippingAddress: AddressJson | null; billingAddress: AddressJson | null } | null }>(call, ADDRESSES, { id: call.id });
    const s = data && found(call, data.checkoutSession);
    if (!s) return;
    call.res.status(200).json({
      shipping_address: restAddress(s.shippingAddress),
      billing_address: restAddress(s.billingAddress),
      validation: { shipping: restAddressValidation(s.shippingAddress), billing: restAddressValidation(s.billingAddress) },
    });
  });

  mountRoute(app, deps, 'get', `${SESSIONS}/:id/shipping-options`, async (call) => {
    const dates = queryFlag(call, 'include_estimated_delivery_dates', false);
    if (dates === undefined) return;
    const data = await graph<{ checkoutSession: { currency: string; shippingOptions: ShippingOptionJson[] } | null }>(call, SHIPPING_OPTIONS, { id: call.id, dates });
    const s = data && found(call, data.checkoutSession);
    if (!s) return;
    call.res.status(200).json(
      list(
        s.shippingOptions.map((o) => ({
          id: o.id,
          label: o.label,
          carrier: o.carrier,
          service_code: o.serviceCode,
          amount: o.amount.amountMinor,
          currency: s.currency,
          free: o.free,
          delivery_estimate: restDeliveryEstimate(o.deliveryEstimate),
        })),
      ),
    );
  });

  mountRoute(app, deps, 'get', `${SESSIONS}/:id/pickup-options`, async (call) => {
    type Pickup = { id: string; name: string; country: string; region: string | null; postalCode: string | null };
    const data = await graph<{ checkoutSession: { pickupOptions: Pickup[] } | null }>(call, PICKUP_OPTIONS, { id: call.id });
    const s = data && found(call, data.checkoutSession);
    if (!s) return;
    call.res.status(200).json(list(s.pickupOptions.map((p) => ({ id: p.id, name: p.name, country: p.country, region: p.region, postal_code: p.postalCode }))));
  });

  mountRoute(app, deps, 'post', `${SESSIONS}/:id/select-shipping`, async (call) => {
    const body = bodyOf(call, SELECT_SHIPPING_BODY);
    if (!body) return;
    const optionId = body.shipping_option_id as string;
    const carrier = (body.carrier ?? null) as string | null;
    const serviceCode = (body.service_code ?? null) as string | null;
    if (carrier !== null || serviceCode !== null) {
      // The carrier and service the client believes it chose must be the option's (an option not
      // offered at all is the selection's own 400 below).
      const data = await graph<{ checkoutSession: { currency: string; shippingOptions: ShippingOptionJson[] } | null }>(call, SHIPPING_OPTIONS, { id: call.id, dates: false });
      const s = data && found(call, data.checkoutSession);
      if (!s) return;
      const option = s.shippingOptions.find((o) => o.id === optionId);
      for (const [field, sent, actual] of [['carrier', carrier, option?.carrier], ['service_code', serviceCode, option?.serviceCode]] as const) {
        if (option && sent !== null && !sameText(actual ?? null, sent)) {
          return sendError(call.res, restHttpStatus('SHIPPING_OPTION_MISMATCH'), 'SHIPPING_OPTION_MISMATCH', `${field}: the option "${optionId}" ships with ${actual ? `"${actual}"` : 'none'}, not "${sent}".`, {
            field,
          });
        }
      }
    }
    await change(call, SELECT, 'selectCheckoutShipping', { selection: { shippingOptionId: optionId } });
  });

  mountRoute(app, deps, 'post', `${SESSIONS}/:id/pickup-location`, async (call) => {
    const body = bodyOf(call, PICKUP_BODY);
    if (!body) return;
    await change(call, SELECT, 'selectCheckoutShipping', { selection: { pickupLocationId: body.pickup_location_id } });
  });

  mountRoute(app, deps, 'post', `${SESSIONS}/:id/promotions`, async (call) => {
    const body = bodyOf(call, PROMOTION_BODY);
    if (!body) return;
    await change(call, APPLY, 'applyCheckoutPromotion', { code: body.code });
  });

  mountRoute(app, deps, 'delete', `${SESSIONS}/:id/promotions/:code`, async (call) => {
    await change(call, REMOVE, 'removeCheckoutPromotion', { code: String(call.req.params.code ?? '') });
  });
}
