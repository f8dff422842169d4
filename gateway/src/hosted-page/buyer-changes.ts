// What the buyer changes on the hosted page (issue 18, item 8) — a promotion code, the shipping or
// billing address, the shipping option or pickup location — as the page's JSON API takes it: the
// body checked here (a field-named 400 before anything runs), then the buyer operation
// (buyer-operations.ts, as the session's CLIENT principal), then calculateCheckout, then the page's
// view as it now is. Refusals answer in the buyer's words, chosen by the error's code, reason and
// field (never the GraphQL message): the page shows them as they are.
import type { GraphQLFormattedError } from 'graphql';
import type { Principal } from '@handoff/shared/identity/principal';
import type { GatewayRouteDeps } from '../route-deps.js';
import { BUYER_MUTATIONS } from './buyer-operations.js';
import {
  calculate,
  closedFailure,
  loadOptions,
  loadSession,
  publicView,
  runBuyerMutation,
  type ApiFailure,
  type Outcome,
  type PublicCheckoutView,
  type SessionData,
} from './checkout-api.js';
import { countryName } from './countries.js';
import { promotionDisplay } from './pricing-view.js';

export type AddressKind = 'shipping' | 'billing';

export interface AddressInput {
  name: string | null;
  line1: string;
  line2: string | null;
  city: string;
  state: string | null;
  postalCode: string | null;
  country: string;
}

export type BuyerChange =
  | { kind: 'applyPromotion'; code: string }
  | { kind: 'removePromotion'; code: string }
  | { kind: 'setAddress'; address: AddressKind; input: AddressInput }
  | { kind: 'selectShipping'; selection: { shippingOptionId: string } | { pickupLocationId: string } };

export type Parsed = { ok: true; change: BuyerChange } | { ok: false; field: string; message: string };

const fail = (field: string, message: string): Parsed => ({ ok: false, field, message });
const shownKey = (key: string) => (key.length > 40 ? `${key.slice(0, 40)}…` : key).replaceAll('\u0000', '');

function objectBody(body: unknown, known: readonly string[]): { ok: true; body: Record<string, unknown> } | { ok: false; parsed: Parsed } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { ok: false, parsed: fail('body', 'must be a JSON object.') };
  const extra = Object.keys(body).find((k) => !known.includes(k));
  if (extra !== undefined) return { ok: false, parsed: fail(shownKey(extra), `is not a field of this request (known fields: ${known.join(', ')}).`) };
  return { ok: true, body: body as Record<string, unknown> };
}

/** A promotion code as typed (the subgraph normalizes and checks its format). */
function codeOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const code = value.trim();
  return code.length >= 1 && code.length <= 64 ? code : undefined;
}

/** POST …/promotion-codes `{ "code": "SAVE10" }`. */
export function parsePromotionBody(body: unknown): Parsed {
  const checked = objectBody(body, ['code']);
  if (!checked.ok) return checked.parsed;
  const code = codeOf(checked.body.code);
  return code ? { ok: true, change: { kind: 'applyPromotion', code } } : fail('code', 'Enter a promotion code.');
}

/** DELETE …/promotion-codes/:code. */
export function parsePromotionParam(value: unknown): Parsed {
  const code = codeOf(value);
  return code ? { ok: true, change: { kind: 'removePromotion', code } } : fail('code', 'Give the code to remove.');
}

const ADDRESS_FIELDS = ['name', 'line1', 'line2', 'city', 'state', 'postal_code', 'country'] as const;
const ADDRESS_LIMITS: Record<(typeof ADDRESS_FIELDS)[number], number> = { name: 200, line1: 200, line2: 200, city: 100, state: 100, postal_code: 20, country: 2 };
const REQUIRED = new Set(['line1', 'city', 'country']);

/** POST …/shipping-address or …/billing-address `{ name?, line1, line2?, city, state?, postal_code?, country }`. */
export function parseAddressBody(body: unknown, address: AddressKind): Parsed {
  const checked = objectBody(body, ADDRESS_FIELDS);
  if (!checked.ok) return checked.parsed;
  const values: Record<string, string | null> = {};
  for (const field of ADDRESS_FIELDS) {
    const raw = checked.body[field];
    if (raw !== undefined && raw !== null && typeof raw !== 'string') return fail(field, 'must be text.');
    const value = typeof raw === 'string' ? raw.trim() : '';
    if (value.length > ADDRESS_LIMITS[field]) return fail(field, `must be at most ${ADDRESS_LIMITS[field]} characters.`);
    if (!value && REQUIRED.has(field)) return fail(field, addressWords(field, ''));
    values[field] = value || null;
  }
  const input: AddressInput = {
    name: values.name ?? null,
    line1: values.line1!,
    line2: values.line2 ?? null,
    city: values.city!,
    state: values.state ?? null,
    postalCode: values.postal_code ?? null,
    country: values.country!.toUpperCase(),
  };
  return { ok: true, change: { kind: 'setAddress', address, input } };
}

/** POST …/shipping `{ "shipping_option_id": "standard" }` or `{ "pickup_location_id": "soho" }`. */
export function parseShippingBody(body: unknown): Parsed {
  const checked = objectBody(body, ['shipping_option_id', 'pickup_location_id']);
  if (!checked.ok) return checked.parsed;
  const option = checked.body.shipping_option_id;
  const pickup = checked.body.pickup_location_id;
  const idOk = (v: unknown) => typeof v === 'string' && v.length >= 1 && v.length <= 100;
  if (option !== undefined && pickup !== undefined) return fail('body', 'give either shipping_option_id or pickup_location_id, not both.');
  if (option !== undefined) return idOk(option) ? { ok: true, change: { kind: 'selectShipping', selection: { shippingOptionId: option as string } } } : fail('shipping_option_id', 'Choose a delivery option.');
  if (pickup !== undefined) return idOk(pickup) ? { ok: true, change: { kind: 'selectShipping', selection: { pickupLocationId: pickup as string } } } : fail('pickup_location_id', 'Choose a pickup location.');
  return fail('shipping_option_id', 'Choose a delivery option.');
}

/** The buyer's words for a refused address field (REST names); `country` for the postal code's. */
export function addressWords(field: string, country: string): string {
  switch (field) {
    case 'country':
      return 'Choose a country.';
    case 'postal_code':
      return country ? `Enter a valid postal code for ${countryName(country)}.` : 'Enter a valid postal code.';
    case 'line1':
      return 'Enter the first line of the address.';
    case 'city':
      return 'Enter the town or city.';
    case 'name':
      return 'Enter the name as plain text (at most 200 characters).';
    case 'line2':
      return 'Enter the second line as plain text (at most 200 characters).';
    case 'state':
      return 'Enter the county, state or region as plain text (at most 100 characters).';
    default:
      return 'Check the address.';
  }
}

/** GraphQL's `shippingAddress.postalCode` / `selection.shippingOptionId` → the REST body's `postal_code` / `shipping_option_id`. */
export function restField(graphqlField: string | undefined): string {
  if (!graphqlField) return 'body';
  const last = graphqlField.split('.').pop()!;
  if (last === 'selection') return 'body';
  return last.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** A refused change, in the buyer's words. */
export function changeFailure(change: BuyerChange, failure: ApiFailure, error: GraphQLFormattedError | undefined): ApiFailure & { field?: string } {
  const code = change.kind === 'applyPromotion' || change.kind === 'removePromotion' ? change.code.toUpperCase() : '';
  if (failure.code === 'PROMOTION_INVALID') return { ...failure, message: promotionDisplay(code, failure.reason) };
  if (failure.code !== 'BAD_USER_INPUT') return failure;
  const field = restField(typeof error?.extensions?.field === 'string' ? error.extensions.field : undefined);
  switch (change.kind) {
    case 'applyPromotion':
      return { ...failure, field: 'code', message: `${code} is not a valid code. Codes are letters, digits, _ and -.` };
    case 'removePromotion':
      return { ...failure, field: 'code', message: `The code ${code} is not applied to this checkout.` };
    case 'setAddress':
      return { ...failure, field, message: addressWords(field, change.input.country) };
    case 'selectShipping':
      return { ...failure, field, message: 'This delivery option is not available for your address. Choose another.' };
  }
}

const CHANGEABLE_PAYMENT = new Set(['REQUIRES_PAYMENT_METHOD', 'REQUIRES_CONFIRMATION']);

/** The buyer may still change the session: it is open and no payment is under way. */
export function buyerCanChange(s: SessionData): boolean {
  return s.status === 'OPEN' && !!s.paymentIntent && CHANGEABLE_PAYMENT.has(s.paymentIntent.status);
}

/**
 * The page's view of the session. While the buyer can still change it, with the shipping options
 * and pickup locations; with `calculateIfNeeded`, a session without a current calculation is
 * calculated first (the page shows, and the Pay button charges, the calculation's grand total).
 */
export async function loadPageView(
  deps: GatewayRouteDeps,
  principal: Principal,
  id: string,
  locale: string | undefined,
  calculateIfNeeded: boolean,
): Promise<Outcome<PublicCheckoutView>> {
  let loaded = await loadSession(deps, principal, id);
  if (!loaded.ok) return loaded;
  const choosing = buyerCanChange(loaded.value);
  if (calculateIfNeeded && choosing && (!loaded.value.calculation || loaded.value.calculationStale)) {
    const calculated = await calculate(deps, principal, id);
    if (calculated.ok) loaded = await loadSession(deps, principal, id);
    else deps.logger.warn({ code: calculated.failure.code }, 'hosted page: calculating the session failed');
    if (!loaded.ok) return loaded;
  }
  if (!choosing) return { ok: true, value: publicView(loaded.value, locale) };
  const options = await loadOptions(deps, principal, id);
  if (!options.ok) deps.logger.warn({ code: options.failure.code }, 'hosted page: reading the shipping options failed');
  return { ok: true, value: publicView(loaded.value, locale, options.ok ? options.value : null) };
}

const NOT_CHANGEABLE: ApiFailure = {
  status: 409,
  code: 'INVALID_STATE_TRANSITION',
  message: 'This checkout can no longer be changed: its payment is under way.',
  reason: 'checkout_session:payment_in_progress',
};

function variablesOf(id: string, change: BuyerChange): { mutation: keyof typeof BUYER_MUTATIONS; variables: Record<string, unknown> } {
  switch (change.kind) {
    case 'applyPromotion':
      return { mutation: 'applyPromotion', variables: { id, code: change.code } };
    case 'removePromotion':
      return { mutation: 'removePromotion', variables: { id, code: change.code } };
    case 'setAddress':
      return { mutation: change.address === 'shipping' ? 'setShippingAddress' : 'setBillingAddress', variables: { id, address: change.input } };
    case 'selectShipping':
      return { mutation: 'selectShipping', variables: { id, selection: change.selection } };
  }
}

export type ChangeAnswer =
  | { ok: true; view: PublicCheckoutView }
  | { ok: false; failure: ApiFailure & { field?: string }; view?: PublicCheckoutView };

/**
 * The change, then calculateCheckout, then the view. A change refused writes nothing. A change
 * made whose calculation then fails answers that failure with the view as it now is (the change
 * stays; its price is stale, so the page cannot pay until a calculation succeeds).
 */
export async function applyBuyerChange(
  deps: GatewayRouteDeps,
  principal: Principal,
  id: string,
  change: BuyerChange,
  locale: string | undefined,
): Promise<ChangeAnswer> {
  const before = await loadSession(deps, principal, id);
  if (!before.ok) return before;
  const closed = closedFailure(before.value);
  if (closed) return { ok: false, failure: closed };
  if (!buyerCanChange(before.value)) return { ok: false, failure: NOT_CHANGEABLE };
  const { mutation, variables } = variablesOf(id, change);
  const changed = await runBuyerMutation(deps, principal, mutation, variables);
  if (!changed.ok) return { ok: false, failure: changeFailure(change, changed.failure, changed.error) };
  const calculated = await calculate(deps, principal, id);
  const view = await loadPageView(deps, principal, id, locale, false);
  if (!calculated.ok) return { ok: false, failure: calculated.failure, ...(view.ok ? { view: view.value } : {}) };
  return view.ok ? { ok: true, view: view.value } : view;
}
