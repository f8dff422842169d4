// Seed 003 §10's fraud, KYC and manual review routes (docs/api.md, "Risk, fraud and KYC"), thin
// adapters over payment-intent's GraphQL operations. Merchant key for its own checkouts; an admin
// any (`?merchant_id=` names the merchant for the rules and the review list).
//   POST /v1/checkout/sessions/:id/fraud/score               scoreCheckoutRisk { ip_address?, ip_country? } → the assessment (a dry run)
//   GET  /v1/checkout/fraud/rules                            riskRules → { data: [rules], thresholds, kyc_required_above }
//   GET  /v1/checkout/manual-reviews                         manualReviews (?status, ?limit, ?cursor)
//   POST /v1/checkout/sessions/:id/manual-review/assign      assignManualReview { assignee }
//   POST /v1/checkout/sessions/:id/manual-review/approve     approveManualReview { note? } (captures the held payment)
//   POST /v1/checkout/sessions/:id/manual-review/reject      rejectManualReview { note? } (voids it: fraud_block)
// The signed callbacks (fraud decisions, KYC completion, the PSP webhook alias) are in inbound.ts.
import type { RouteMount } from '../../route-deps.js';
import type { ObjectShape } from '../rest-input.js';
import { sendInputProblem } from '../rest-http.js';
import { bodyOf, graph, mountRoute, restField, SESSIONS } from '../checkout-service/route-kit.js';
import { listOf, pageQuery, type ConnectionJson } from '../checkout-service/page-query.js';
import { ASSESSMENT_FIELDS, assessmentJson, REVIEW_FIELDS, reviewJson, RULES_FIELDS, rulesJson, type AssessmentJson, type ReviewJson, type RulesJson } from './risk-json.js';
import { mountKycRoutes } from './kyc.js';
import { mountInboundRoutes } from './inbound.js';

export const FRAUD_RULES = '/v1/checkout/fraud/rules';
export const MANUAL_REVIEWS = '/v1/checkout/manual-reviews';

const SCORE = `mutation RestScoreCheckoutRisk($id: ID!, $context: RiskContextInput) { scoreCheckoutRisk(checkoutSessionId: $id, context: $context) { ${ASSESSMENT_FIELDS} } }`;
const RULES = `query RestRiskRules($m: ID) { riskRules(merchantId: $m) { ${RULES_FIELDS} } }`;
const REVIEWS = `query RestManualReviews($m: ID, $status: ManualReviewStatus, $first: Int, $after: String) {
  manualReviews(merchantId: $m, status: $status, first: $first, after: $after) { edges { node { ${REVIEW_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;
const ASSIGN = `mutation RestAssignManualReview($id: ID!, $assignee: String!) { assignManualReview(checkoutSessionId: $id, assignee: $assignee) { ${REVIEW_FIELDS} } }`;
const APPROVE = `mutation RestApproveManualReview($id: ID!, $note: String) { approveManualReview(checkoutSessionId: $id, note: $note) { ${REVIEW_FIELDS} } }`;
const REJECT = `mutation RestRejectManualReview($id: ID!, $note: String) { rejectManualReview(checkoutSessionId: $id, note: $note) { ${REVIEW_FIELDS} } }`;

const SCORE_BODY: ObjectShape = { kind: 'object', fields: { ip_address: { kind: 'string', max: 64 }, ip_country: { kind: 'string', max: 2 } } };
const ASSIGN_BODY: ObjectShape = { kind: 'object', fields: { assignee: { kind: 'string', required: true, max: 200 } } };
const DECIDE_BODY: ObjectShape = { kind: 'object', fields: { note: { kind: 'string', max: 2000 } } };
const STATUSES: Record<string, string> = { pending: 'PENDING', approved: 'APPROVED', rejected: 'REJECTED' };

const rename = (f: string) =>
  f === 'context.ipAddress' ? 'ip_address' : f === 'context.ipCountry' ? 'ip_country' : f === 'assignee' || f === 'note' ? f : f === 'merchantId' ? 'merchant_id' : restField(f);

/** `?merchant_id=` (an admin's choice of merchant), or undefined once a 400 is sent; null when absent. */
function merchantQuery(call: Parameters<Parameters<typeof mountRoute>[4]>[0]): string | null | undefined {
  const m = call.req.query.merchant_id;
  if (m === undefined) return null;
  if (typeof m !== 'string' || !/^[A-Za-z0-9_-]{1,100}$/.test(m)) return void sendInputProblem(call.res, { field: 'merchant_id', message: 'must be a merchant id.' });
  return m;
}

export const mountRiskRest: RouteMount = (app, deps) => {
  mountRoute(app, deps, 'post', `${SESSIONS}/:id/fraud/score`, async (call) => {
    const body = bodyOf(call, SCORE_BODY);
    if (!body) return;
    const context = body.ip_address !== undefined || body.ip_country !== undefined ? { ipAddress: body.ip_address ?? null, ipCountry: body.ip_country ?? null } : null;
    const data = await graph<{ scoreCheckoutRisk: AssessmentJson }>(call, SCORE, { id: call.id, context }, { mutation: true, rename });
    if (data) call.res.json(assessmentJson(data.scoreCheckoutRisk));
  });

  mountRoute(app, deps, 'get', FRAUD_RULES, async (call) => {
    const m = merchantQuery(call);
    if (m === undefined) return;
    const data = await graph<{ riskRules: RulesJson }>(call, RULES, { m }, { rename });
    if (data) call.res.json(rulesJson(data.riskRules));
  });

  mountRoute(app, deps, 'get', MANUAL_REVIEWS, async (call) => {
    const page = pageQuery(call);
    if (!page) return;
    const m = merchantQuery(call);
    if (m === undefined) return;
    const rawStatus = call.req.query.status;
    const status = rawStatus === undefined ? null : typeof rawStatus === 'string' ? STATUSES[rawStatus.toLowerCase()] : undefined;
    if (status === undefined) return sendInputProblem(call.res, { field: 'status', message: `must be one of ${Object.keys(STATUSES).join(', ')}.` });
    const data = await graph<{ manualReviews: ConnectionJson<ReviewJson> }>(call, REVIEWS, { m, status, first: page.first, after: page.after }, { rename });
    if (data) call.res.json(listOf(data.manualReviews, reviewJson));
  });

  mountRoute(app, deps, 'post', `${SESSIONS}/:id/manual-review/assign`, async (call) => {
    const body = bodyOf(call, ASSIGN_BODY);
    if (!body) return;
    const data = await graph<{ assignManualReview: ReviewJson }>(call, ASSIGN, { id: call.id, assignee: body.assignee }, { mutation: true, rename });
    if (data) call.res.json(reviewJson(data.assignManualReview));
  });

  for (const [verb, doc, field] of [
    ['approve', APPROVE, 'approveManualReview'],
    ['reject', REJECT, 'rejectManualReview'],
  ] as const) {
    mountRoute(app, deps, 'post', `${SESSIONS}/:id/manual-review/${verb}`, async (call) => {
      const body = bodyOf(call, DECIDE_BODY);
      if (!body) return;
      const data = await graph<Record<string, ReviewJson>>(call, doc, { id: call.id, note: body.note ?? null }, { mutation: true, rename });
      if (data) call.res.json(reviewJson(data[field]!));
    });
  }

  mountKycRoutes(app, deps);
  mountInboundRoutes(app, deps);
};
