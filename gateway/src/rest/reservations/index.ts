// Seed 003 §5 and §14's inventory routes (docs/api.md, "Inventory reservations"), thin adapters
// over the checkout-session subgraph's GraphQL operations, in seed 003's shapes. Merchant key for
// its own checkouts, admin for any.
//   POST /v1/checkout/sessions/:id/reserve          reserveCheckoutInventory { expires_in_seconds?, allocation_strategy?, lines?: [{ offer_id, quantity }] }
//   GET  /v1/checkout/reservations/:id              inventoryReservation
//   POST /v1/checkout/reservations/:id/extend       extendInventoryReservation { expires_in_seconds? }
//   POST /v1/checkout/reservations/:id/release      releaseInventoryReservation
//   GET  /v1/checkout/sessions/:id/holds            checkoutHolds → { data, has_more, next_cursor }
//   POST /v1/checkout/sessions/:id/holds/extend     extendCheckoutHolds { expires_in_seconds? } → { data, … }
import type { RouteMount } from '../../route-deps.js';
import type { ObjectShape } from '../rest-input.js';
import { sendInputProblem } from '../rest-http.js';
import { bodyOf, graph, mountRoute, SESSIONS } from '../checkout-service/route-kit.js';

export const RESERVATIONS = '/v1/checkout/reservations';

const FIELDS = `id checkoutSessionId status allocationStrategy provider expiresAt createdAt endedAt endReason
  lines { offerId requested reserved tracked allocations { locationId quantity } }`;
const RESERVE = `mutation RestReserveInventory($id: ID!, $input: ReserveCheckoutInventoryInput) { reserveCheckoutInventory(checkoutSessionId: $id, input: $input) { ${FIELDS} } }`;
const GET = `query RestInventoryReservation($id: ID!) { inventoryReservation(id: $id) { ${FIELDS} } }`;
const EXTEND = `mutation RestExtendReservation($id: ID!, $s: Int) { extendInventoryReservation(id: $id, expiresInSeconds: $s) { ${FIELDS} } }`;
const RELEASE = `mutation RestReleaseReservation($id: ID!) { releaseInventoryReservation(id: $id) { ${FIELDS} } }`;
const HOLDS = `query RestCheckoutHolds($id: ID!) { checkoutHolds(checkoutSessionId: $id) { ${FIELDS} } }`;
const EXTEND_HOLDS = `mutation RestExtendHolds($id: ID!, $s: Int) { extendCheckoutHolds(checkoutSessionId: $id, expiresInSeconds: $s) { ${FIELDS} } }`;

interface ReservationJson {
  id: string;
  checkoutSessionId: string;
  status: string;
  allocationStrategy: string;
  provider: string;
  expiresAt: string;
  createdAt: string;
  endedAt: string | null;
  endReason: string | null;
  lines: Array<{ offerId: string | null; requested: number; reserved: number; tracked: boolean; allocations: Array<{ locationId: string | null; quantity: number }> }>;
}

const SECONDS = { kind: 'integer' } as const;
const RESERVE_BODY: ObjectShape = {
  kind: 'object',
  fields: {
    expires_in_seconds: SECONDS,
    allocation_strategy: { kind: 'string', max: 40 },
    lines: { kind: 'array', max: 500, items: { kind: 'object', fields: { offer_id: { kind: 'string', required: true, max: 200 }, quantity: { kind: 'integer', required: true } } } },
  },
};
const EXTEND_BODY: ObjectShape = { kind: 'object', fields: { expires_in_seconds: SECONDS } };
const STRATEGIES: Record<string, string> = { best_fit: 'BEST_FIT', all_or_nothing: 'ALL_OR_NOTHING', single_location: 'SINGLE_LOCATION' };

/** GraphQL input paths in the body's names. */
const rename = (f: string) =>
  f
    .replace(/^input\./, '')
    .replace(/^expiresInSeconds$/, 'expires_in_seconds')
    .replace(/^allocationStrategy$/, 'allocation_strategy')
    .replace(/\.offerId$/, '.offer_id')
    .replace(/^checkoutSessionId$/, 'id');

export function reservationJson(r: ReservationJson): Record<string, unknown> {
  return {
    object: 'inventory_reservation',
    reservation_id: r.id,
    checkout_id: r.checkoutSessionId,
    status: r.status.toLowerCase(),
    allocation_strategy: r.allocationStrategy.toLowerCase(),
    provider: r.provider.toLowerCase(),
    expires_at: r.expiresAt,
    created_at: r.createdAt,
    ended_at: r.endedAt,
    end_reason: r.endReason,
    lines: r.lines.map((l) => ({
      offer_id: l.offerId,
      requested: l.requested,
      reserved: l.reserved,
      tracked: l.tracked,
      allocations: l.allocations.map((a) => ({ location_id: a.locationId, quantity: a.quantity })),
    })),
  };
}

/** Seed 003 §14's holds: one per line and location a reservation holds. */
function holdsJson(rs: ReservationJson[]): Record<string, unknown> {
  const data = rs.flatMap((r) =>
    r.lines.flatMap((l) => {
      const places = l.allocations.length > 0 ? l.allocations : [{ locationId: null, quantity: l.reserved }];
      return places
        .filter((a) => a.quantity > 0)
        .map((a) => ({ object: 'hold', type: 'inventory', reservation_id: r.id, offer_id: l.offerId, location_id: a.locationId, quantity: a.quantity, expires_at: r.expiresAt }));
    }),
  );
  return { data, has_more: false, next_cursor: null };
}

function seconds(body: Record<string, unknown>): number | null {
  return typeof body.expires_in_seconds === 'number' ? body.expires_in_seconds : null;
}

export const mountReservationRest: RouteMount = (app, deps) => {
  mountRoute(app, deps, 'post', `${SESSIONS}/:id/reserve`, async (call) => {
    const body = bodyOf(call, RESERVE_BODY);
    if (!body) return;
    let strategy: string | null = null;
    if (body.allocation_strategy !== undefined && body.allocation_strategy !== null) {
      strategy = STRATEGIES[String(body.allocation_strategy).trim().toLowerCase()] ?? null;
      if (!strategy) return sendInputProblem(call.res, { field: 'allocation_strategy', message: `must be one of ${Object.keys(STRATEGIES).join(', ')}.` });
    }
    const lines = Array.isArray(body.lines) ? (body.lines as Array<Record<string, unknown>>).map((l) => ({ offerId: l.offer_id, quantity: l.quantity })) : null;
    const input = { expiresInSeconds: seconds(body), allocationStrategy: strategy, lines };
    const data = await graph<{ reserveCheckoutInventory: ReservationJson }>(call, RESERVE, { id: call.id, input }, { mutation: true, rename });
    if (data) call.res.json(reservationJson(data.reserveCheckoutInventory));
  });

  mountRoute(app, deps, 'get', `${RESERVATIONS}/:id`, async (call) => {
    const data = await graph<{ inventoryReservation: ReservationJson }>(call, GET, { id: call.id }, { rename });
    if (data) call.res.json(reservationJson(data.inventoryReservation));
  });

  mountRoute(app, deps, 'post', `${RESERVATIONS}/:id/extend`, async (call) => {
    const body = bodyOf(call, EXTEND_BODY);
    if (!body) return;
    const data = await graph<{ extendInventoryReservation: ReservationJson }>(call, EXTEND, { id: call.id, s: seconds(body) }, { mutation: true, rename });
    if (data) call.res.json(reservationJson(data.extendInventoryReservation));
  });

  mountRoute(app, deps, 'post', `${RESERVATIONS}/:id/release`, async (call) => {
    if (!bodyOf(call, { kind: 'object', fields: {} })) return;
    const data = await graph<{ releaseInventoryReservation: ReservationJson }>(call, RELEASE, { id: call.id }, { mutation: true, rename });
    if (data) call.res.json(reservationJson(data.releaseInventoryReservation));
  });

  mountRoute(app, deps, 'get', `${SESSIONS}/:id/holds`, async (call) => {
    const data = await graph<{ checkoutHolds: ReservationJson[] }>(call, HOLDS, { id: call.id }, { rename });
    if (data) call.res.json(holdsJson(data.checkoutHolds));
  });

  mountRoute(app, deps, 'post', `${SESSIONS}/:id/holds/extend`, async (call) => {
    const body = bodyOf(call, EXTEND_BODY);
    if (!body) return;
    const data = await graph<{ extendCheckoutHolds: ReservationJson[] }>(call, EXTEND_HOLDS, { id: call.id, s: seconds(body) }, { mutation: true, rename });
    if (data) call.res.json(holdsJson(data.extendCheckoutHolds));
  });
};
