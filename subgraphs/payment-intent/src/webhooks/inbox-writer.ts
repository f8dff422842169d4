// Writes verified events into the webhook inbox, batching what arrives together: at most
// `maxConcurrent` INSERT statements run at once (the ingestion's bounded share of the pool, so a
// burst of webhooks never takes every connection from the GraphQL side), and whatever arrives
// while they run goes into the next statement, up to `maxBatch` rows. Alone, an event is written
// at once, as before. Each statement commits on its own: every caller's promise resolves only once
// its row is durable (or was already there), and a failed statement fails each of its callers,
// whose webhooks are then answered 5xx with nothing stored.
import type { DataSource } from 'typeorm';

export interface InboxEvent {
  provider: string;
  eventId: string;
  merchantId: string;
  eventType: string;
  providerPaymentId: string | null;
  /** The raw JSON body as received. */
  body: string;
}

export interface StoredEvent {
  id: string;
  processed: boolean;
  /** false: the event was already in the inbox (a duplicate delivery). */
  inserted: boolean;
}

interface Waiter {
  event: InboxEvent;
  resolve(stored: StoredEvent): void;
  reject(err: unknown): void;
}

export interface InboxWriterOptions {
  maxConcurrent?: number;
  maxBatch?: number;
}

const keyOf = (provider: string, eventId: string) => `${provider}\u0000${eventId}`;

export class InboxWriter {
  private readonly pending: Waiter[] = [];
  private running = 0;
  private readonly maxConcurrent: number;
  private readonly maxBatch: number;

  constructor(
    private readonly dataSource: DataSource,
    opts: InboxWriterOptions = {},
  ) {
    this.maxConcurrent = Math.max(1, opts.maxConcurrent ?? 4);
    this.maxBatch = Math.max(1, opts.maxBatch ?? 100);
  }

  write(event: InboxEvent): Promise<StoredEvent> {
    return new Promise<StoredEvent>((resolve, reject) => {
      this.pending.push({ event, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.maxConcurrent && this.pending.length) {
      const batch = this.pending.splice(0, this.maxBatch);
      this.running += 1;
      this.flush(batch)
        .catch((err: unknown) => {
          for (const w of batch) w.reject(err);
        })
        .finally(() => {
          this.running -= 1;
          this.pump();
        });
    }
  }

  private async flush(batch: Waiter[]): Promise<void> {
    // One row per event id (the first delivery inserts, the others are duplicates), in key order
    // so that two statements inserting overlapping ids take their index locks in the same order.
    const byKey = new Map<string, Waiter[]>();
    for (const w of batch) {
      const k = keyOf(w.event.provider, w.event.eventId);
      const list = byKey.get(k);
      if (list) list.push(w);
      else byKey.set(k, [w]);
    }
    const keys = [...byKey.keys()].sort();
    const params: unknown[] = [];
    const values = keys.map((k, i) => {
      const e = byKey.get(k)![0]!.event;
      params.push(e.provider, e.eventId, e.merchantId, e.eventType, e.providerPaymentId, e.body);
      const p = i * 6;
      return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}::jsonb)`;
    });
    const inserted: Array<{ id: string; provider: string; event_id: string }> = await this.dataSource.query(
      `INSERT INTO payment.webhook_inbox (provider, event_id, merchant_id, event_type, provider_payment_id, body)
       VALUES ${values.join(', ')}
       ON CONFLICT (provider, event_id) DO NOTHING
       RETURNING id, provider, event_id`,
      params,
    );
    const found = new Map<string, StoredEvent>();
    for (const r of inserted) found.set(keyOf(r.provider, r.event_id), { id: String(r.id), processed: false, inserted: true });

    // Already there (a duplicate). A separate statement: it sees rows that a concurrent insert
    // committed after the INSERT's snapshot (ON CONFLICT waited for that commit).
    const existing = keys.filter((k) => !found.has(k)).map((k) => byKey.get(k)![0]!.event);
    if (existing.length) {
      const rows: Array<{ id: string; provider: string; event_id: string; processed: boolean }> = await this.dataSource.query(
        `SELECT w.id, w.provider, w.event_id, w.processed_at IS NOT NULL AS processed
           FROM payment.webhook_inbox w
           JOIN unnest($1::text[], $2::text[]) AS k(provider, event_id) ON w.provider = k.provider AND w.event_id = k.event_id`,
        [existing.map((e) => e.provider), existing.map((e) => e.eventId)],
      );
      for (const r of rows) found.set(keyOf(r.provider, r.event_id), { id: String(r.id), processed: r.processed, inserted: false });
    }

    for (const k of keys) {
      const waiters = byKey.get(k)!;
      const stored = found.get(k);
      if (!stored) {
        const err = new Error(`webhook inbox row for ${k.replace('\u0000', ' ')} neither inserted nor found`);
        for (const w of waiters) w.reject(err);
        continue;
      }
      waiters.forEach((w, i) => w.resolve(i === 0 ? stored : { ...stored, inserted: false }));
    }
  }
}
