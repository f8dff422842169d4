// Every failed job of every package's queue, for an operator (ADMIN key):
//   GET  /v1/checkout/queues                                   each queue's counts, with its package
//   GET  /v1/checkout/queues/:queue/failed?limit=&cursor=      failed jobs, newest first
//   POST /v1/checkout/queues/:queue/failed/:job_id/retry       replay one (from its first attempt)
//   POST /v1/checkout/queues/:queue/failed/retry               replay all of the queue's (10,000 per call)
// A queue is known when a package's worker registered it (operator-queues.ts); another name is
// 404 NOT_FOUND (reason queue:not_found), a job that is not (or no longer) failed 404 (job:not_found,
// job:not_failed). Job data is shown as its ids and topics only (shared summarizeJobData).
import type { Express } from 'express';
import type { FailedJobView, QueueCounts } from '@handoff/shared/queue/queue-admin';
import type { GatewayRouteDeps } from '../../route-deps.js';
import { sendInputProblem } from '../rest-http.js';
import { mountAdminRoute, OPS, pageOf, type AdminCall, type Answer } from './admin-route.js';
import { operatorQueues } from './operator-queues.js';

const QUEUE_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const JOB_ID = /^[\x21-\x39\x3b-\x7e]{1,255}$/; // printable ASCII without ':' (BullMQ's ids)

export const queueJson = (c: QueueCounts, packageName: string | undefined) => ({
  queue: c.queue,
  package: packageName ?? null,
  waiting: c.waiting,
  active: c.active,
  delayed: c.delayed,
  prioritized: c.prioritized,
  failed: c.failed,
  completed: c.completed,
});

const failedJson = (j: FailedJobView) => ({
  id: j.id,
  queue: j.queue,
  name: j.name,
  failed_reason: j.failedReason,
  attempts_made: j.attemptsMade,
  attempts: j.attempts,
  created_at: j.createdAt.toISOString(),
  failed_at: j.failedAt?.toISOString() ?? null,
  data: j.data,
});

const notFound = (message: string, reason: string): Answer => ({ status: 404, body: { error: message, code: 'NOT_FOUND', reason } });

/** The path's queue when it is well-formed and registered; otherwise undefined once 400 or 404 is sent (a GET) or returned (a POST). */
async function knownQueue(call: AdminCall): Promise<{ queue: string } | { answer: Answer }> {
  const queue = String(call.req.params.queue ?? '');
  if (!QUEUE_NAME.test(queue)) return { answer: { status: 400, body: { error: 'queue: must be a queue name (letters, digits, ".", "_" and "-", at most 100).', code: 'BAD_USER_INPUT', field: 'queue' } } };
  if (!(await operatorQueues(call.deps).packageOf(queue))) return { answer: notFound(`No queue named ${queue}: GET /v1/checkout/queues lists them.`, 'queue:not_found') };
  return { queue };
}

export function mountQueueRoutes(app: Express, deps: GatewayRouteDeps): void {
  const queues = operatorQueues(deps);

  mountAdminRoute(app, deps, 'get', `${OPS}/queues`, async (call) => {
    const registry = await queues.registry();
    const counts = await (await queues.admin()).counts(registry.map((r) => r.queue));
    call.res.json({ data: counts.map((c, i) => queueJson(c, registry[i]!.packageName)), has_more: false, next_cursor: null });
  });

  mountAdminRoute(app, deps, 'get', `${OPS}/queues/:queue/failed`, async (call) => {
    const page = pageOf(call);
    if (!page) return;
    const known = await knownQueue(call);
    if ('answer' in known) return void call.res.status(known.answer.status).json(known.answer.body);
    try {
      const found = await (await queues.admin()).failed(known.queue, page.first, page.after);
      call.res.json({ data: found.jobs.map(failedJson), has_more: found.nextCursor !== null, next_cursor: found.nextCursor });
    } catch (err) {
      if ((err as Error)?.name !== 'QueueAdminInputError') throw err; // an unreadable cursor
      sendInputProblem(call.res, { field: 'cursor', message: "must be a list's next_cursor." });
    }
  });

  mountAdminRoute(app, deps, 'post', `${OPS}/queues/:queue/failed/:job_id/retry`, async (call) => {
    const known = await knownQueue(call);
    if ('answer' in known) return known.answer;
    const jobId = String(call.req.params.job_id ?? '');
    if (!JOB_ID.test(jobId)) return { status: 400, body: { error: 'job_id: must be a job id (1 to 255 printable characters, no ":").', code: 'BAD_USER_INPUT', field: 'job_id' } };
    const outcome = await (await queues.admin()).replay(known.queue, jobId);
    if (outcome === 'not_found') return notFound(`No job ${jobId} in ${known.queue}.`, 'job:not_found');
    if (outcome === 'not_failed') return notFound(`Job ${jobId} of ${known.queue} is not failed (replayed already, or still running).`, 'job:not_failed');
    deps.logger.info({ queue: known.queue, jobId, by: call.principal }, 'operator replayed a failed job');
    return { status: 200, body: { queue: known.queue, id: jobId, replayed: true } };
  });

  mountAdminRoute(app, deps, 'post', `${OPS}/queues/:queue/failed/retry`, async (call) => {
    const known = await knownQueue(call);
    if ('answer' in known) return known.answer;
    const { replayed, remaining } = await (await queues.admin()).replayAll(known.queue);
    deps.logger.info({ queue: known.queue, replayed, remaining, by: call.principal }, 'operator replayed the failed jobs of a queue');
    return { status: 200, body: { queue: known.queue, replayed, remaining_failed: remaining } };
  });
}

