// Gift cards and store credit in the books (issue 20 item 3): checkout-session's `tender.*` events
// (shared/src/contracts/tender-events.contract.ts), each posted once (tender_events_applied, keyed by
// the producer's outbox row) in one transaction with its balanced entries:
//   issued:   debit tender_issued:<merchant>, credit <kind>_liability:<merchant>
//   redeemed: debit <kind>_liability:<merchant>, credit tender_redeemed:<merchant>
//   restored: debit tender_redeemed:<merchant>, credit <kind>_liability:<merchant> (a redemption
//             reversed by a finalization rollback)
// A liability account is credit-normal: the ledger check reports one that goes positive (more
// spent than was issued) as overdrawn.
import { LEDGER_TENDER_EVENTS_QUEUE, readTenderEvent, startWorker, type Logger, type OutboxJobData, type TenderEventPayload } from '@handoff/shared';
import type { RedisClient } from '@handoff/shared/queue/redis';
import type { Worker } from 'bullmq';
import type { DataSource } from 'typeorm';
import { AccountType, postTransaction, type EntrySpec } from './ledger.js';

const TRANSACTION_KIND = { issued: 'tender_issue', redeemed: 'tender_redemption', restored: 'tender_restoration' } as const;

export function tenderEntries(e: TenderEventPayload): EntrySpec[] {
  const liability = e.kind === 'gift_card' ? AccountType.GIFT_CARD_LIABILITY : AccountType.STORE_CREDIT_LIABILITY;
  const other = e.move === 'issued' ? AccountType.TENDER_ISSUED : AccountType.TENDER_REDEEMED;
  // Issued and restored credit the liability; redeemed debits it.
  const sign = e.move === 'redeemed' ? -1 : 1;
  return [
    { accountType: other, owner: e.merchantId, amountMinor: sign * e.amountMinor },
    { accountType: liability, owner: e.merchantId, amountMinor: -sign * e.amountMinor },
  ];
}

/** Posts the event once; 'posted', 'duplicate' (already posted) or 'ignored' (not a tender event). */
export async function postTenderEvent(dataSource: DataSource, job: Pick<OutboxJobData, 'schema' | 'outboxId' | 'topic' | 'payload'>): Promise<'posted' | 'duplicate' | 'ignored'> {
  const event = readTenderEvent(job.topic, job.payload);
  if (!event) return 'ignored';
  const source = `${job.schema}:${job.outboxId}`;
  return dataSource.transaction(async (manager) => {
    // One posting per source row, whoever runs first: the lock makes a concurrent redelivery wait, then see it.
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`tender:${source}`]);
    const [done] = await manager.query(`SELECT 1 FROM ledger.tender_events_applied WHERE source_event = $1`, [source]);
    if (done) return 'duplicate' as const;
    const id = await postTransaction(manager, {
      kind: TRANSACTION_KIND[event.move],
      currency: event.currency,
      memo: `${event.kind} ${event.move} ${event.instrumentId}${event.checkoutSessionId ? ` (checkout ${event.checkoutSessionId})` : ''}`.slice(0, 500),
      entries: tenderEntries(event),
    });
    await manager.query(`INSERT INTO ledger.tender_events_applied (source_event, transaction_id) VALUES ($1, $2)`, [source, id]);
    return 'posted' as const;
  });
}

export function startTenderEventsWorker(opts: { dataSource: DataSource; connection: RedisClient; prefix: string; logger: Logger }): Worker<OutboxJobData, string> {
  return startWorker<OutboxJobData, string>({
    name: LEDGER_TENDER_EVENTS_QUEUE,
    prefix: opts.prefix,
    connection: opts.connection,
    concurrency: 2,
    logger: opts.logger,
    processor: (job) => postTenderEvent(opts.dataSource, job.data),
  });
}
