// Consumes the `audit.*` rows every package writes to its outbox (queue audit-log-entries:
// shared/src/contracts/audit.contract.ts) into merchant.audit_log. Idempotent: unique per (source
// schema, outbox row), so a job the relay re-adds writes nothing. A payload that is not an audit
// row fails for good (listed for an operator).
import { AUDIT_LOG_QUEUE, startWorker, type Logger, type OutboxJobData } from '@handoff/shared';
import { UnrecoverableError, type Worker } from 'bullmq';
import type { RedisClient } from '@handoff/shared/queue/redis';
import { InvalidAuditEntry, type AuditLogService, type AuditOutcome } from './audit-log.service.js';

export async function processAuditJob(audit: AuditLogService, data: OutboxJobData): Promise<AuditOutcome> {
  try {
    return await audit.record(String(data.schema), String(data.outboxId), data.payload);
  } catch (err) {
    if (err instanceof InvalidAuditEntry) throw new UnrecoverableError(err.message);
    throw err;
  }
}

export function startAuditLogWorker(opts: { audit: AuditLogService; connection: RedisClient; prefix: string; logger: Logger }): Worker<OutboxJobData, AuditOutcome> {
  return startWorker<OutboxJobData, AuditOutcome>({
    name: AUDIT_LOG_QUEUE,
    prefix: opts.prefix,
    connection: opts.connection,
    concurrency: 4,
    logger: opts.logger,
    processor: (job) => processAuditJob(opts.audit, job.data),
  });
}
