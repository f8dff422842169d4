// Seed 003 §15's remediation routes (docs/api.md, "Failed checkouts"), thin adapters over the
// checkout-session subgraph's GraphQL operations, in seed 003's shapes. Merchant key for its own
// checkouts; an admin sees every merchant's (`?merchant_id=` narrows the list).
//   GET  /v1/checkout/failures                         failedCheckouts → { data, has_more, next_cursor } (?reason, ?since, ?limit, ?cursor)
//   POST /v1/checkout/sessions/:id/resolve             resolveCheckoutFailure { action, note?, promotion_code? }
//   POST /v1/checkout/sessions/:id/support-note        addCheckoutSupportNote { note } → 201
//   GET  /v1/checkout/sessions/:id/support-notes       the session's notes → { data }
import type { RouteMount } from '../../route-deps.js';
import type { ObjectShape } from '../rest-input.js';
import { sendInputProblem } from '../rest-http.js';
import { bodyOf, found, graph, mountRoute, restField, SESSIONS } from '../checkout-service/route-kit.js';
import { listOf, pageQuery, type ConnectionJson } from '../checkout-service/page-query.js';

export const FAILURES = '/v1/checkout/failures';

const ACTOR = '{ kind id }';
const FAILURE_FIELDS = `id checkoutSessionId merchantId category reason message declineCode blockers { code message } paymentIntentId occurrences
  firstFailedAt lastFailedAt recordedBy ${ACTOR}
  resolution { action note resolvedAt resolvedBy ${ACTOR} promotionCode replacementCheckoutSessionId }`;
const NOTE_FIELDS = `id note author ${ACTOR} createdAt`;

const LIST = `query RestFailedCheckouts($m: ID, $reason: String, $since: DateTime, $first: Int, $after: String) {
  failedCheckouts(merchantId: $m, reason: $reason, since: $since, first: $first, after: $after) {
    edges { node { ${FAILURE_FIELDS} checkoutSession { status lifecycleStatus } } } pageInfo { hasNextPage endCursor } } }`;
const RESOLVE = `mutation RestResolveCheckoutFailure($id: ID!, $input: ResolveCheckoutFailureInput!) {
  resolveCheckoutFailure(id: $id, input: $input) {
    checkoutSession { id status url clientToken } failure { ${FAILURE_FIELDS} } replacement { id status url clientToken } } }`;
const ADD_NOTE = `mutation RestAddSupportNote($id: ID!, $note: String!, $key: String) { addCheckoutSupportNote(id: $id, note: $note, idempotencyKey: $key) { ${NOTE_FIELDS} } }`;
const NOTES = `query RestSupportNotes($id: ID!) { checkoutSession(id: $id) { id supportNotes { ${NOTE_FIELDS} } } }`;

interface ActorJson {
  kind: string;
  id: string;
}
interface FailureJson {
  id: string;
  checkoutSessionId: string;
  merchantId: string;
  category: string;
  reason: string;
  message: string;
  declineCode: string | null;
  blockers: Array<{ code: string; message: string }>;
  paymentIntentId: string | null;
  occurrences: number;
  firstFailedAt: string;
  lastFailedAt: string;
  recordedBy: ActorJson;
  resolution: { action: string; note: string | null; resolvedAt: string; resolvedBy: ActorJson; promotionCode: string | null; replacementCheckoutSessionId: string | null } | null;
  checkoutSession?: { status: string; lifecycleStatus: string } | null;
}
interface NoteJson {
  id: string;
  note: string;
  author: ActorJson;
  createdAt: string;
}
interface SessionRef {
  id: string;
  status: string;
  url: string;
  clientToken: string | null;
}

const RESOLVE_BODY: ObjectShape = {
  kind: 'object',
  fields: { action: { kind: 'string', required: true, max: 40 }, note: { kind: 'string', max: 2000 }, promotion_code: { kind: 'string', max: 64 } },
};
const NOTE_BODY: ObjectShape = { kind: 'object', fields: { note: { kind: 'string', required: true, max: 2000 } } };
const ACTIONS: Record<string, string> = { retry_payment: 'RETRY_PAYMENT', apply_discount: 'APPLY_DISCOUNT', manual_override: 'MANUAL_OVERRIDE', cancel: 'CANCEL' };
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

const actorJson = (a: ActorJson) => ({ type: a.kind, id: a.id });

function failureJson(f: FailureJson): Record<string, unknown> {
  return {
    object: 'checkout_failure',
    id: f.id,
    checkout_id: f.checkoutSessionId,
    merchant_id: f.merchantId,
    reason: f.reason,
    category: f.category.toLowerCase(),
    message: f.message,
    decline_code: f.declineCode,
    blockers: f.blockers,
    payment_intent_id: f.paymentIntentId,
    occurrences: f.occurrences,
    first_failed_at: f.firstFailedAt,
    last_failed_at: f.lastFailedAt,
    recorded_by: actorJson(f.recordedBy),
    ...(f.checkoutSession ? { checkout_status: f.checkoutSession.status.toLowerCase(), lifecycle_status: f.checkoutSession.lifecycleStatus.toLowerCase() } : {}),
    resolution: f.resolution
      ? {
          action: f.resolution.action,
          note: f.resolution.note,
          resolved_at: f.resolution.resolvedAt,
          resolved_by: actorJson(f.resolution.resolvedBy),
          promotion_code: f.resolution.promotionCode,
          replacement_checkout_id: f.resolution.replacementCheckoutSessionId,
        }
      : null,
  };
}

const noteJson = (checkoutId: string, n: NoteJson) => ({ object: 'support_note', id: n.id, checkout_id: checkoutId, note: n.note, author: actorJson(n.author), created_at: n.createdAt });

const rename = (f: string) => (f === 'input.promotionCode' ? 'promotion_code' : f === 'reason' || f === 'since' ? f : restField(f));

export const mountRemediationRest: RouteMount = (app, deps) => {
  mountRoute(app, deps, 'get', FAILURES, async (call) => {
    const page = pageQuery(call);
    if (!page) return;
    const { reason, since, merchant_id: merchantId } = call.req.query;
    if (reason !== undefined && (typeof reason !== 'string' || reason.length > 120)) return sendInputProblem(call.res, { field: 'reason', message: 'must be a failure reason.' });
    if (since !== undefined && (typeof since !== 'string' || !ISO_TIME.test(since) || Number.isNaN(Date.parse(since)))) {
      return sendInputProblem(call.res, { field: 'since', message: 'must be an ISO 8601 date-time (2026-05-01T00:00:00Z).' });
    }
    if (merchantId !== undefined && (typeof merchantId !== 'string' || merchantId.length > 100)) return sendInputProblem(call.res, { field: 'merchant_id', message: 'must be a merchant id.' });
    const variables = {
      m: merchantId ?? null,
      reason: reason ?? null,
      since: since ? new Date(since).toISOString() : null,
      first: page.first,
      after: page.after,
    };
    const data = await graph<{ failedCheckouts: ConnectionJson<FailureJson> }>(call, LIST, variables, { rename });
    if (data) call.res.json(listOf(data.failedCheckouts, failureJson));
  });

  mountRoute(app, deps, 'post', `${SESSIONS}/:id/resolve`, async (call) => {
    const body = bodyOf(call, RESOLVE_BODY);
    if (!body) return;
    const action = ACTIONS[String(body.action).trim().toLowerCase()];
    if (!action) return sendInputProblem(call.res, { field: 'action', message: `must be one of ${Object.keys(ACTIONS).join(', ')}.` });
    const input = { action, note: body.note ?? null, promotionCode: body.promotion_code ?? null };
    const data = await graph<{ resolveCheckoutFailure: { checkoutSession: SessionRef; failure: FailureJson; replacement: SessionRef | null } }>(
      call,
      RESOLVE,
      { id: call.id, input },
      { mutation: true, rename },
    );
    if (!data) return;
    const r = data.resolveCheckoutFailure;
    // The session to pay now: the replacement of an expired one, else the session itself.
    const pay = r.replacement ?? r.checkoutSession;
    call.res.json({
      object: 'checkout_resolution',
      checkout_id: r.checkoutSession.id,
      action: body.action,
      status: r.checkoutSession.status.toLowerCase(),
      failure: failureJson(r.failure),
      replacement_checkout_id: r.replacement?.id ?? null,
      url: pay.status === 'OPEN' ? pay.url : null,
      client_token: pay.status === 'OPEN' ? pay.clientToken : null,
    });
  });

  mountRoute(app, deps, 'post', `${SESSIONS}/:id/support-note`, async (call) => {
    const body = bodyOf(call, NOTE_BODY);
    if (!body) return;
    const data = await graph<{ addCheckoutSupportNote: NoteJson }>(call, ADD_NOTE, { id: call.id, note: body.note, key: call.idempotencyKey ?? null }, {
      mutation: true,
      rename: (f) => (f === 'note' ? 'note' : restField(f)),
    });
    if (data) call.res.status(201).json(noteJson(call.id, data.addCheckoutSupportNote));
  });

  mountRoute(app, deps, 'get', `${SESSIONS}/:id/support-notes`, async (call) => {
    const data = await graph<{ checkoutSession: { id: string; supportNotes: NoteJson[] | null } | null }>(call, NOTES, { id: call.id });
    if (!data) return;
    const session = found(call, data.checkoutSession);
    if (session) call.res.json({ data: (session.supportNotes ?? []).map((n) => noteJson(session.id, n)), has_more: false, next_cursor: null });
  });
};
