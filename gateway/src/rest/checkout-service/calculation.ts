// Seed 003 §4 (totals, the authoritative calculation, validate) and §13 (the shipment plan):
//   POST /v1/checkout/sessions/:id/calculate              calculateCheckout (force: false → refreshCheckoutSession)
//   GET  /v1/checkout/sessions/:id/totals                 the current calculation's totals (404 before the first)
//   POST /v1/checkout/sessions/:id/validate               the validation field: blockers, nothing written
//   POST /v1/checkout/sessions/:id/split-shipment-plan    the shipmentPlan field: shipments with their totals
//   POST /v1/checkout/sessions/:id/select-shipment-plan   selectCheckoutShipmentPlan
import type { Express } from 'express';
import type { GatewayRouteDeps } from '../../route-deps.js';
import type { ObjectShape } from '../rest-input.js';
import { sendError, sendInputProblem } from '../rest-http.js';
import {
  BLOCKER_FIELDS,
  CALCULATION_FIELDS,
  restBlocker,
  restCalculation,
  restShipment,
  restTotals,
  SHIPMENT_FIELDS,
  TOTALS_FIELDS,
  type BlockerJson,
  type CalculationJson,
  type ShipmentJson,
  type TotalsJson,
} from './calculation-json.js';
import { bodyOf, expectedVersion, found, graph, mountRoute, SESSIONS, type Call } from './route-kit.js';

const CALCULATE_BODY: ObjectShape = {
  kind: 'object',
  fields: { force: { kind: 'boolean' }, timeout_ms: { kind: 'integer', min: 1, max: 60_000 } },
};
const PLAN_BODY: ObjectShape = { kind: 'object', fields: { plan: { kind: 'string', required: true, max: 10 } } };
const EMPTY_BODY: ObjectShape = { kind: 'object', fields: {} };

const CALCULATED = `id version calculationStale calculation { ${CALCULATION_FIELDS} }`;
const CALCULATE = `mutation RestCalculate($id: ID!, $v: Int) { calculateCheckout(id: $id, expectedVersion: $v) { ${CALCULATED} } }`;
const REFRESH = `mutation RestCalculateIfStale($id: ID!) { refreshCheckoutSession(id: $id) { ${CALCULATED} } }`;
const TOTALS = `query RestTotals($id: ID!) {
  checkoutSession(id: $id) { id version calculationStale calculation { id calculatedAt currency totals { ${TOTALS_FIELDS} } } } }`;
const VALIDATION = `query RestValidate($id: ID!) { checkoutSession(id: $id) { id version validation { valid blockers { ${BLOCKER_FIELDS} } } } }`;
const PLAN_FIELDS = `id version currency shipmentPlan { kind calculated shipments { ${SHIPMENT_FIELDS} } }`;
const PLAN = `query RestShipmentPlan($id: ID!) { checkoutSession(id: $id) { ${PLAN_FIELDS} } }`;
const SELECT_PLAN = `mutation RestSelectShipmentPlan($id: ID!, $plan: CheckoutShipmentPlanKind!, $v: Int) {
  selectCheckoutShipmentPlan(id: $id, plan: $plan, expectedVersion: $v) { ${PLAN_FIELDS} } }`;

interface Calculated {
  id: string;
  version: number;
  calculationStale: boolean;
  calculation: CalculationJson | null;
}
interface Planned {
  id: string;
  version: number;
  currency: string;
  shipmentPlan: { kind: string; calculated: boolean; shipments: ShipmentJson[] };
}

const PLANS: Record<string, string> = { split: 'SPLIT', single: 'SINGLE' };

function sendCalculated(call: Call, s: Calculated): void {
  // A calculation the session just stored (or, force: false, the one it still holds).
  if (!s.calculation) return sendError(call.res, 500, 'INTERNAL_SERVER_ERROR', 'Unexpected error.');
  call.res.setHeader('etag', `"${s.version}"`);
  call.res.status(200).json({ ...restCalculation(s.calculation, s.id), calculation_stale: s.calculationStale, version: s.version });
}

function sendPlan(call: Call, s: Planned): void {
  call.res.setHeader('etag', `"${s.version}"`);
  call.res.status(200).json({
    checkout_id: s.id,
    version: s.version,
    plan: s.shipmentPlan.kind.toLowerCase(),
    calculated: s.shipmentPlan.calculated,
    currency: s.currency,
    shipments: s.shipmentPlan.shipments.map((x) => restShipment(x, s.currency)),
  });
}

export function mountCalculationRoutes(app: Express, deps: GatewayRouteDeps): void {
  mountRoute(app, deps, 'post', `${SESSIONS}/:id/calculate`, async (call) => {
    const body = bodyOf(call, CALCULATE_BODY);
    if (!body) return;
    const expected = expectedVersion(call);
    if (!expected) return;
    // timeout_ms is accepted: each pricing provider call is bounded by the merchant's configured timeout.
    if (body.force === false) {
      if (expected.version !== null) return sendInputProblem(call.res, { field: 'If-Match', message: 'applies to a forced calculation only (leave force out or true).' });
      const data = await graph<{ refreshCheckoutSession: Calculated }>(call, REFRESH, { id: call.id }, { mutation: true });
      if (data) sendCalculated(call, data.refreshCheckoutSession);
      return;
    }
    const data = await graph<{ calculateCheckout: Calculated }>(call, CALCULATE, { id: call.id, v: expected.version }, { mutation: true });
    if (data) sendCalculated(call, data.calculateCheckout);
  });

  mountRoute(app, deps, 'get', `${SESSIONS}/:id/totals`, async (call) => {
    type Totals = { id: string; version: number; calculationStale: boolean; calculation: { id: string; calculatedAt: string; currency: string; totals: TotalsJson } | null };
    const data = await graph<{ checkoutSession: Totals | null }>(call, TOTALS, { id: call.id });
    const s = data && found(call, data.checkoutSession);
    if (!s) return;
    if (!s.calculation) {
      return sendError(call.res, 404, 'NOT_FOUND', `Checkout session ${s.id} has not been calculated yet: POST ${SESSIONS}/${s.id}/calculate first.`, {
        reason: 'checkout_session:not_calculated',
      });
    }
    call.res.setHeader('etag', `"${s.version}"`);
    call.res.status(200).json({
      checkout_id: s.id,
      calculation_id: s.calculation.id,
      calculated_at: s.calculation.calculatedAt,
      stale: s.calculationStale,
      version: s.version,
      totals: restTotals(s.calculation.totals, s.calculation.currency),
    });
  });

  mountRoute(app, deps, 'post', `${SESSIONS}/:id/validate`, async (call) => {
    if (!bodyOf(call, EMPTY_BODY)) return;
    type Validated = { id: string; version: number; validation: { valid: boolean; blockers: BlockerJson[] } };
    const data = await graph<{ checkoutSession: Validated | null }>(call, VALIDATION, { id: call.id });
    const s = data && found(call, data.checkoutSession);
    if (!s) return;
    call.res.status(200).json({ checkout_id: s.id, version: s.version, valid: s.validation.valid, blockers: s.validation.blockers.map(restBlocker) });
  });

  mountRoute(app, deps, 'post', `${SESSIONS}/:id/split-shipment-plan`, async (call) => {
    if (!bodyOf(call, EMPTY_BODY)) return;
    const data = await graph<{ checkoutSession: Planned | null }>(call, PLAN, { id: call.id });
    const s = data && found(call, data.checkoutSession);
    if (s) sendPlan(call, s);
  });

  mountRoute(app, deps, 'post', `${SESSIONS}/:id/select-shipment-plan`, async (call) => {
    const body = bodyOf(call, PLAN_BODY);
    if (!body) return;
    const plan = PLANS[String(body.plan).toLowerCase()];
    if (!plan) return sendInputProblem(call.res, { field: 'plan', message: 'must be "split" or "single".' });
    const expected = expectedVersion(call);
    if (!expected) return;
    const data = await graph<{ selectCheckoutShipmentPlan: Planned }>(call, SELECT_PLAN, { id: call.id, plan, v: expected.version }, { mutation: true });
    if (data) sendPlan(call, data.selectCheckoutShipmentPlan);
  });
}
