// The agent REST routes an agent SDK expects beside seed 000's POST /v1/checkout (issue 21
// item 5), thin adapters over the graph with an agent key (deps.execute runs the same operations,
// rules and masking as /graphql):
//   POST /v1/sessions   startAgentSession: { query?, ttlSeconds? } → the session (201)
//   POST /v1/recommend  recommend: { sessionId, offerId } → the recommendation and its attributionToken (201)
//   GET  /v1/offers     offers(query:, first, after, merchantId): full-text search, most relevant first
//   POST /v1/purchase   purchase.ts: a checkout link, or an autonomous payment with a delegated token
// Errors are `{ "error": <message>, "code": <CODE> }` with the status of the code (rest-http.ts).
import type { Request, Response } from 'express';
import type { RouteMount } from '../../route-deps.js';
import { requestIdOf } from '../../http/request-id.js';
import { checkBody, restJsonBody, type ObjectShape } from '../rest-input.js';
import { authenticate, bodyObject, guarded, idempotencyKeyOf, sendGraphQLError, sendInputProblem } from '../rest-http.js';
import { OFFER_FIELDS, offerJson, RECOMMENDATION_FIELDS, recommendationJson, SESSION_FIELDS, sessionJson, type OfferNode, type RecommendationNode, type SessionNode } from './agent-json.js';
import { mountPurchase } from './purchase.js';

const START = `mutation RestStartAgentSession($input: StartAgentSessionInput, $key: String) {
  startAgentSession(input: $input, idempotencyKey: $key) { ${SESSION_FIELDS} }
}`;
const RECOMMEND = `mutation RestRecommend($input: RecommendInput!, $key: String) {
  recommend(input: $input, idempotencyKey: $key) { ${RECOMMENDATION_FIELDS} }
}`;
const OFFERS = `query RestOffers($query: String, $merchantId: ID, $first: Int, $after: String) {
  offers(query: $query, merchantId: $merchantId, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { ${OFFER_FIELDS} } }
  }
}`;

const SESSION_BODY: ObjectShape = { kind: 'object', fields: { query: { kind: 'string', max: 1000 }, ttlSeconds: { kind: 'integer' } } };
const RECOMMEND_BODY: ObjectShape = {
  kind: 'object',
  fields: { sessionId: { kind: 'string', required: true, max: 100 }, offerId: { kind: 'string', required: true, max: 100 } },
};

/** A single query-string value, or undefined; an array (`?query=a&query=b`) is a problem. */
function queryParam(req: Request, name: string): { value?: string; problem?: boolean } {
  const v = req.query[name];
  if (v === undefined) return {};
  return typeof v === 'string' ? { value: v } : { problem: true };
}

export const mountAgentRest: RouteMount = (app, deps) => {
  const json = restJsonBody('16kb');

  app.post('/v1/sessions', json, guarded(deps, 'POST /v1/sessions', async (req: Request, res: Response) => {
    const principal = await authenticate(deps, req, res);
    if (!principal) return;
    const raw: unknown = req.body;
    if (raw !== undefined && !bodyObject(req)) return sendInputProblem(res, { field: 'body', message: 'must be a JSON object.' });
    const body = bodyObject(req) ?? {};
    const problem = checkBody(body, SESSION_BODY);
    if (problem) return sendInputProblem(res, problem);
    const input = { query: body.query ?? null, ttlSeconds: body.ttlSeconds ?? null };
    const result = await deps.execute<{ startAgentSession: SessionNode }>({ query: START, variables: { input, key: idempotencyKeyOf(req) }, principal, requestId: requestIdOf(req) });
    if (result.errors?.length || !result.data?.startAgentSession) return sendGraphQLError(res, result.errors?.[0], { rename: (f) => f.replace(/^input\./, '') });
    res.status(201).json(sessionJson(result.data.startAgentSession));
  }));

  app.post('/v1/recommend', json, guarded(deps, 'POST /v1/recommend', async (req: Request, res: Response) => {
    const principal = await authenticate(deps, req, res);
    if (!principal) return;
    const body = bodyObject(req);
    if (!body) return sendInputProblem(res, { field: 'body', message: 'must be a JSON object.' });
    const problem = checkBody(body, RECOMMEND_BODY);
    if (problem) return sendInputProblem(res, problem);
    const result = await deps.execute<{ recommend: RecommendationNode }>({
      query: RECOMMEND,
      variables: { input: { sessionId: body.sessionId, offerId: body.offerId }, key: idempotencyKeyOf(req) },
      principal,
      requestId: requestIdOf(req),
    });
    if (result.errors?.length || !result.data?.recommend) return sendGraphQLError(res, result.errors?.[0], { rename: (f) => f.replace(/^input\./, '') });
    res.status(201).json(recommendationJson(result.data.recommend));
  }));

  app.get('/v1/offers', guarded(deps, 'GET /v1/offers', async (req: Request, res: Response) => {
    const principal = await authenticate(deps, req, res);
    if (!principal) return;
    const params: Record<string, string | undefined> = {};
    for (const name of ['query', 'merchantId', 'first', 'after']) {
      const { value, problem } = queryParam(req, name);
      if (problem) return sendInputProblem(res, { field: name, message: 'must be given once.' });
      params[name] = value;
    }
    let first: number | undefined;
    if (params.first !== undefined) {
      first = /^\d{1,4}$/.test(params.first) ? Number(params.first) : NaN;
      if (!Number.isInteger(first)) return sendInputProblem(res, { field: 'first', message: 'must be a whole number.' });
    }
    const result = await deps.execute<{ offers: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: OfferNode }> } }>({
      query: OFFERS,
      variables: { query: params.query ?? null, merchantId: params.merchantId ?? null, first: first ?? null, after: params.after ?? null },
      principal,
      requestId: requestIdOf(req),
    });
    if (result.errors?.length || !result.data?.offers) return sendGraphQLError(res, result.errors?.[0]);
    const page = result.data.offers;
    res.status(200).json({
      data: page.edges.map((e) => offerJson(e.node)),
      totalCount: page.totalCount,
      hasMore: page.pageInfo.hasNextPage,
      nextCursor: page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null,
    });
  }));

  mountPurchase(app, deps, json);
};

