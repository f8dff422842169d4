// After the storm: what Handoff holds, compared with what was sent. Reads the private database
// directly (the fault harness owns it) and the ledger check through the gateway as admin.
import type { GqlClient } from '../support/client.js';
import type { PrivatePostgres } from '../../bench/src/harness/private-postgres.js';
import type { StormPlan } from './storm-plan.js';
import type { StormWorld } from './storm-world.js';

export interface StormState {
  /** Distinct acknowledged event ids missing from the inbox, or stored but not processed. */
  eventsNotStored: string[];
  /** Of the storm's events (the sandbox's own webhooks about the same intents are not counted). */
  eventsUnprocessed: number;
  eventsProcessed: number;
  /** Intents whose status or amounts are not what their fate says. */
  wrongIntents: Array<{ id: string; fate: string; status: string; captured: number; refunded: number }>;
  /** Expected conversions that do not exist (or not in their final status). */
  missingConversions: string[];
  wrongConversions: Array<{ intentId: string; status: string; verification: string }>;
  /** Conversions beyond one per succeeded payment, and commission postings beyond one per conversion. */
  duplicatedConversions: number;
  duplicatedPostings: number;
  conversions: number;
}

export const settled = (s: StormState) =>
  s.eventsNotStored.length === 0 && s.eventsUnprocessed === 0 && s.wrongIntents.length === 0 && s.missingConversions.length === 0 && s.wrongConversions.length === 0;

export async function readStormState(db: Pick<PrivatePostgres, 'query'>, world: StormWorld, plan: StormPlan, ackedEventIds: Set<string>): Promise<StormState> {
  const m = world.merchant.id;
  const inbox = await db.query<{ event_id: string; processed: boolean }>(
    `SELECT event_id, processed_at IS NOT NULL AS processed FROM payment.webhook_inbox WHERE merchant_id = $1 AND event_id LIKE 'evt_storm_%'`,
    [m],
  );
  const stored = new Map(inbox.map((r) => [r.event_id, r.processed]));
  const eventsNotStored = [...ackedEventIds].filter((id) => !stored.has(id));
  const eventsUnprocessed = inbox.filter((r) => !r.processed).length;

  const intents = await db.query<{ id: string; status: string; amount_minor: string; amount_captured_minor: string; amount_refunded_minor: string }>(
    `SELECT id, status, amount_minor, amount_captured_minor, amount_refunded_minor FROM payment.payment_intents WHERE merchant_id = $1`,
    [m],
  );
  const byId = new Map(intents.map((r) => [r.id, r]));
  const wrongIntents: StormState['wrongIntents'] = [];
  world.intents.forEach((pi, i) => {
    const fate = plan.fates[i]!;
    const row = byId.get(pi.id);
    const captured = Number(row?.amount_captured_minor ?? -1);
    const refunded = Number(row?.amount_refunded_minor ?? -1);
    const right =
      !!row &&
      (fate === 'cancel'
        ? row.status === 'CANCELED'
        : row.status === 'SUCCEEDED' && captured === pi.amountMinor && refunded === (fate === 'refund' ? pi.amountMinor : 0));
    if (!right) wrongIntents.push({ id: pi.id, fate, status: row?.status ?? 'MISSING', captured, refunded });
  });

  const conv = await db.query<{ id: string; payment_intent_id: string | null; status: string; verification: string }>(
    `SELECT id, payment_intent_id, status, verification FROM ledger.conversions WHERE merchant_id = $1`,
    [m],
  );
  const perIntent = new Map<string, typeof conv>();
  for (const c of conv) perIntent.set(c.payment_intent_id ?? '', [...(perIntent.get(c.payment_intent_id ?? '') ?? []), c]);
  const missingConversions: string[] = [];
  const wrongConversions: StormState['wrongConversions'] = [];
  let duplicatedConversions = 0;
  world.intents.forEach((pi, i) => {
    const fate = plan.fates[i]!;
    const found = perIntent.get(pi.id) ?? [];
    perIntent.delete(pi.id);
    if (fate === 'cancel') {
      duplicatedConversions += found.length; // a canceled payment earns nothing
      return;
    }
    if (found.length === 0) return void missingConversions.push(pi.id);
    duplicatedConversions += found.length - 1;
    const c = found[0]!;
    const want = fate === 'refund' ? 'CLAWED_BACK' : 'PENDING';
    if (c.status !== want || c.verification !== 'verified') wrongConversions.push({ intentId: pi.id, status: c.status, verification: c.verification });
  });
  for (const rest of perIntent.values()) duplicatedConversions += rest.length; // about no intent of the storm

  const postings = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM (
       SELECT t.conversion_id, t.kind FROM ledger.ledger_transactions t JOIN ledger.conversions c ON c.id = t.conversion_id
        WHERE c.merchant_id = $1 AND t.kind IN ('commission', 'reversal') GROUP BY 1, 2 HAVING count(*) > 1) d`,
    [m],
  );
  return {
    eventsNotStored,
    eventsUnprocessed,
    eventsProcessed: inbox.length - eventsUnprocessed,
    wrongIntents,
    missingConversions,
    wrongConversions,
    duplicatedConversions,
    duplicatedPostings: Number(postings[0]?.n ?? 0),
    conversions: conv.length,
  };
}

export interface LedgerCheck {
  balanced: boolean;
  unbalancedTransactions: unknown[];
  balanceMismatches: unknown[];
  overdrawnAccounts: unknown[];
}

export async function ledgerCheck(admin: GqlClient): Promise<LedgerCheck> {
  return (await admin.ok(`{ ledgerCheck { balanced unbalancedTransactions balanceMismatches overdrawnAccounts } }`)).ledgerCheck as LedgerCheck;
}
