// Seed 001's REST edges over the conversion ledger: `POST /v1/conversions` (a merchant reports
// a conversion: sessionId, orderReference, transactionValue in major units) and
// `POST /v1/conversions/{id}/milestones`. Thin adapters over the same GraphQL operations, in the
// seed's JSON shapes (amounts as JSON numbers in major units, lower-case status and type).
import type { Express, Request, Response } from 'express';
import { HandoffError } from '@handoff/shared/errors/codes';
import { restHttpStatus } from '@handoff/shared/errors/http-status';
import { parseDecimal } from '@handoff/shared/money/money';
import type { Principal } from '@handoff/shared/identity/principal';
import type { GatewayRouteDeps, RouteMount } from '../route-deps.js';
import { requestIdOf } from '../http/request-id.js';
import { checkBody, inputProblemBody, restInputError, restJsonBody, type ObjectShape } from './rest-input.js';

/** Seed 001's bodies. Field names are the seed's own (camelCase, as the graph's). */
const REPORT_BODY: ObjectShape = {
  kind: 'object',
  fields: {
    sessionId: { kind: 'string', required: true, max: 100 },
    orderReference: { kind: 'string', required: true, max: 200 },
    transactionValue: { kind: 'decimal', required: true },
  },
};
const MILESTONE_BODY: ObjectShape = {
  kind: 'object',
  fields: {
    step: { kind: 'string', required: true, max: 100 },
    status: { kind: 'string', required: true, max: 100 },
    metadata: { kind: 'json-object' },
  },
};

/** The graph's input paths in seed 001's names: `input.step` → `step`, `transactionValue.amountMinor` → `transactionValue`. */
const seed001Field = (graphqlField: string) => graphqlField.replace(/^input\./, '').replace(/^transactionValue\..*$/, 'transactionValue');

const REPORT = `mutation ReportConversion($input: ReportConversionInput!) { reportConversion(input: $input) {
  id status verification orderReference validationPeriodDays session { id }
  transactionValue { amount currency } commission { type amount { amount } networkFee { amount } builderPayout { amount } } } }`;
const MILESTONE = `mutation RecordMilestone($id: ID!, $input: MilestoneInput!) { recordMilestone(conversionId: $id, input: $input) {
  id status milestones { step status metadata recordedAt } } }`;
const MERCHANT_CURRENCY = `query MerchantCurrency($id: ID!) { merchant(id: $id) { defaultCurrency } }`;


function fail(res: Response, code: string, message: string, reason?: unknown) {
  res.status(restHttpStatus(code)).json({ error: message, code, ...(reason ? { reason } : {}) });
}

/** JSON number or numeric string in major units → an exact decimal string (no exponents, no floats kept). */
function decimalOf(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && !/e/i.test(String(value))) return String(value);
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value)) return value;
  return null;
}

const num = (decimal: string) => Number(decimal);

async function principalOf(deps: GatewayRouteDeps, req: Request, res: Response): Promise<Principal | null> {
  const auth = await deps.authenticate(req.headers.authorization, requestIdOf(req));
  if (!auth.ok || auth.principal.kind === 'ANONYMOUS') {
    fail(res, 'UNAUTHENTICATED', 'Missing, unknown or revoked API key.');
    return null;
  }
  return auth.principal;
}

async function run<T>(deps: GatewayRouteDeps, res: Response, op: Parameters<GatewayRouteDeps['execute']>[0]): Promise<T | null> {
  const result = await deps.execute<T>({ ...op, requestId: op.requestId ?? requestIdOf(res.req) });
  const err = result.errors?.[0];
  if (err || !result.data) {
    const code = (err?.extensions?.code as string | undefined) ?? 'INTERNAL_SERVER_ERROR';
    if (code === 'BAD_USER_INPUT' && err) {
      // In the seed's names and words, never the adapter's GraphQL.
      const { field, message } = restInputError(err, seed001Field);
      res.status(400).json({ error: message, code, ...(field ? { field } : {}) });
      return null;
    }
    fail(res, code, err?.message ?? 'Unexpected error.', err?.extensions?.reason);
    return null;
  }
  return result.data;
}

export const mountConversionRoutes: RouteMount = (app: Express, deps: GatewayRouteDeps) => {
  const json = restJsonBody(deps.config.maxBodyBytes);

  app.post('/v1/conversions', json, async (req: Request, res: Response) => {
    try {
      const principal = await principalOf(deps, req, res);
      if (!principal) return;
      if (principal.kind !== 'MERCHANT') return fail(res, 'FORBIDDEN', 'A merchant API key is required.');
      const problem = checkBody(req.body, REPORT_BODY);
      if (problem?.message === 'is required.' && problem.field !== 'body') {
        return fail(res, 'BAD_USER_INPUT', 'sessionId, orderReference and transactionValue are required');
      }
      if (problem) return void res.status(400).json(inputProblemBody(problem));
      // The shape above makes these strings.
      const body = req.body as { sessionId: string; orderReference: string; transactionValue: unknown };
      const { sessionId, orderReference } = body;
      const decimal = decimalOf(body.transactionValue);
      if (decimal === null) return fail(res, 'BAD_USER_INPUT', 'transactionValue: must be a non-negative number in major units, such as 10 or "10.50".');
      const merchant = await run<{ merchant: { defaultCurrency: string } | null }>(deps, res, {
        query: MERCHANT_CURRENCY, variables: { id: principal.merchantId }, principal,
      });
      if (!merchant) return;
      if (!merchant.merchant) return fail(res, 'MERCHANT_NOT_FOUND', 'Merchant not found');
      const value = parseDecimal(decimal, merchant.merchant.defaultCurrency, 'transactionValue');
      const idempotencyKey = req.header('idempotency-key') ?? undefined;
      const data = await run<{ reportConversion: any }>(deps, res, {
        query: REPORT,
        variables: { input: { sessionId, orderReference, transactionValue: { amountMinor: value.amountMinor, currency: value.currency } } },
        principal,
        idempotencyKey,
      });
      if (!data) return;
      const c = data.reportConversion;
      res.status(201).json({
        conversionId: c.id,
        sessionId: c.session?.id ?? sessionId,
        orderReference: c.orderReference,
        transactionValue: num(c.transactionValue.amount),
        currency: c.transactionValue.currency,
        commission: {
          amount: num(c.commission.amount.amount),
          networkFee: num(c.commission.networkFee.amount),
          builderPayout: num(c.commission.builderPayout.amount),
          type: String(c.commission.type).toLowerCase(),
        },
        status: String(c.status).toLowerCase(),
        verification: c.verification,
        validationPeriodDays: c.validationPeriodDays,
      });
    } catch (err) {
      if (err instanceof HandoffError) return fail(res, err.code, err.message);
      deps.logger.error({ err, requestId: requestIdOf(req) }, 'POST /v1/conversions failed');
      fail(res, 'INTERNAL_SERVER_ERROR', 'Unexpected error.');
    }
  });

  app.post('/v1/conversions/:id/milestones', json, async (req: Request, res: Response) => {
    try {
      const principal = await principalOf(deps, req, res);
      if (!principal) return;
      const body = (req.body ?? {}) as Record<string, unknown>;
      const problem = checkBody(req.body, MILESTONE_BODY);
      if (problem && problem.message === 'is required.' && problem.field !== 'body') return fail(res, 'BAD_USER_INPUT', 'step and status are required');
      if (problem) return void res.status(400).json(inputProblemBody(problem));
      const id = String(req.params.id);
      const data = await run<{ recordMilestone: any }>(deps, res, {
        query: MILESTONE,
        variables: { id, input: { step: body.step, status: body.status, metadata: body.metadata ?? null } },
        principal,
      });
      if (!data) return;
      const c = data.recordMilestone;
      const latest = c.milestones[c.milestones.length - 1];
      res.status(201).json({
        conversionId: c.id,
        step: latest?.step,
        status: latest?.status,
        metadata: latest?.metadata ?? null,
        recordedAt: latest?.recordedAt,
        conversionStatus: String(c.status).toLowerCase(),
        milestones: c.milestones,
      });
    } catch (err) {
      deps.logger.error({ err, requestId: requestIdOf(req) }, 'POST /v1/conversions/:id/milestones failed');
      fail(res, 'INTERNAL_SERVER_ERROR', 'Unexpected error.');
    }
  });
};


