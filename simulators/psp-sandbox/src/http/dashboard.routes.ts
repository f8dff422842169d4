// The sandbox's operator side, authenticated with its admin key (server.ts): setting up a
// merchant's account (webhook endpoint, signing secret, enabled events → its secret key), and
// the dashboard: a payment as the sandbox holds it, a refund or a dispute made "at the
// processor", and the failed deliveries and settlements (list, read, replay).
import { Router, type Request, type Response } from 'express';
import type { DataSource } from 'typeorm';
import type { Accounts } from '../accounts/accounts.service.js';
import type { FailedJobs } from '../dashboard/failed-jobs.js';
import { invalidParameter, noSuchPayment, SandboxError } from '../errors.js';
import type { DisputeOutcome, SandboxPayments } from '../payments/payments.service.js';
import { paymentIntentObject } from '../webhooks/webhook-events.js';
import { body, int, str } from './request.js';

export interface DashboardDeps {
  dataSource: DataSource;
  accounts: Accounts;
  payments: SandboxPayments;
  failedJobs: FailedJobs;
  committed(): void;
}

const OUTCOMES: readonly DisputeOutcome[] = ['OPEN', 'WON', 'LOST'];

export function accountRoutes(deps: DashboardDeps): Router {
  const r = Router();
  r.post('/:id', (req: Request, res: Response, next) => {
    const b = body(req);
    const events = b.enabled_events ?? ['*'];
    if (!Array.isArray(events)) return next(invalidParameter('enabled_events', 'must be a list of event types.'));
    deps.accounts
      .setUp(String(req.params.id), { webhookUrl: str(b, 'webhook_url', true, 2048), webhookSecret: str(b, 'webhook_secret', true, 512), enabledEvents: events as string[] })
      .then((secretKey) => res.json({ id: req.params.id, object: 'account', secret_key: secretKey }), next);
  });
  return r;
}

export function dashboardRoutes(deps: DashboardDeps): Router {
  const r = Router();
  const route = (fn: (req: Request) => Promise<unknown>) => (req: Request, res: Response, next: (err?: unknown) => void) =>
    void fn(req).then((out) => res.json(out), next);

  r.get(
    '/payment_intents/:id',
    route(async (req) => {
      const p = await deps.payments.find(deps.dataSource.manager, null, String(req.params.id));
      if (!p) throw noSuchPayment(String(req.params.id));
      return { ...paymentIntentObject(p), amount_refunded: p.amountRefundedMinor };
    }),
  );

  /** A refund made in the dashboard (no idempotency key), reported to the merchant by webhook. */
  r.post(
    '/payment_intents/:id/refund',
    route(async (req) => {
      const amount = int(body(req), 'amount', true);
      const refund = await deps.dataSource.transaction((m) => deps.payments.refund(m, null, String(req.params.id), amount));
      deps.committed();
      return { id: refund.id, object: 'refund', amount: refund.amountMinor, payment_intent: refund.paymentId, status: 'succeeded' };
    }),
  );

  r.post(
    '/payment_intents/:id/dispute',
    route(async (req) => {
      const outcome = str(body(req), 'outcome', true, 8) as DisputeOutcome;
      if (!OUTCOMES.includes(outcome)) throw invalidParameter('outcome', `must be one of ${OUTCOMES.join(', ')}.`);
      const eventIds = await deps.dataSource.transaction((m) => deps.payments.dispute(m, String(req.params.id), outcome));
      deps.committed();
      return { event_ids: eventIds };
    }),
  );

  r.get(
    '/failed_jobs',
    route(async (req) => {
      const q = typeof req.query.queue === 'string' && req.query.queue !== '' ? req.query.queue : null;
      const first = Number(req.query.first ?? 50);
      if (!Number.isSafeInteger(first) || first < 1 || first > 500) throw invalidParameter('first', 'must be 1 to 500.');
      return { object: 'list', data: await deps.failedJobs.list(q, first) };
    }),
  );

  r.get(
    '/failed_jobs/:queue/:id',
    route(async (req) => {
      const job = await deps.failedJobs.get(String(req.params.queue), String(req.params.id));
      if (!job) throw new SandboxError(404, 'invalid_request_error', 'resource_missing', 'No such failed job.', 'id');
      return job;
    }),
  );

  r.post(
    '/failed_jobs/:queue/:id/retry',
    route(async (req) => ({ replayed: await deps.failedJobs.replay(String(req.params.queue), String(req.params.id)) })),
  );

  return r;
}
