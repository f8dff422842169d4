// What velocity and decline-ratio rules count, read from the assessments of the merchant's
// confirmations (source CONFIRM): per rule, for the payment's value of the rule's signal, within
// the rule's window (PostgreSQL's clock, as the rows were stamped). A confirmation first takes a
// transaction-scoped advisory lock on each value it counts, so two confirmations with the same
// email (card, IP, agent) are counted one after the other, never both against the same history.
import type { EntityManager } from 'typeorm';
import { signalValue } from './risk-engine.js';
import { RiskRuleType, RiskSignal, type RiskConfig, type RiskHistory, type RiskRule, type RiskSignals, type SignalHistory } from './risk.model.js';

const COLUMN: Partial<Record<RiskSignal, string>> = {
  [RiskSignal.EMAIL]: 'email',
  [RiskSignal.CARD_FINGERPRINT]: 'card_fingerprint',
  [RiskSignal.IP]: 'ip',
  [RiskSignal.AGENT]: 'agent_id',
};

const isCounted = (r: RiskRule) => r.enabled && (r.type === RiskRuleType.VELOCITY || r.type === RiskRuleType.DECLINE_RATIO) && r.signal !== null && COLUMN[r.signal] !== undefined;

/** The (signal, value) pairs the configuration counts for this payment. */
function countedValues(config: RiskConfig, s: RiskSignals): Array<{ signal: RiskSignal; value: string }> {
  const seen = new Map<string, { signal: RiskSignal; value: string }>();
  for (const r of config.rules.filter(isCounted)) {
    const value = signalValue(s, r.signal!);
    if (value !== null) seen.set(`${r.signal}\u0000${value}`, { signal: r.signal!, value });
  }
  return [...seen.values()];
}

/** Locks each counted value of the payment for the rest of the transaction, in one order (no deadlock between two payments). */
export async function lockCountedValues(manager: EntityManager, merchantId: string, config: RiskConfig, s: RiskSignals): Promise<void> {
  const keys = countedValues(config, s)
    .map(({ signal, value }) => `risk:${merchantId}:${signal}:${value}`)
    .sort();
  for (const key of keys) await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
}

/** Each counting rule's history for the payment's value (none for a rule whose value is unknown). */
export async function historyFor(manager: EntityManager, merchantId: string, config: RiskConfig, s: RiskSignals, paymentIntentId: string | null): Promise<RiskHistory> {
  const out = new Map<string, SignalHistory>();
  for (const rule of config.rules.filter(isCounted)) {
    const value = signalValue(s, rule.signal!);
    if (value === null) continue;
    const column = COLUMN[rule.signal!]!;
    const [row] = (await manager.query(
      `SELECT count(DISTINCT payment_intent_id) FILTER (WHERE action <> 'BLOCK' AND payment_intent_id IS DISTINCT FROM $4) AS payments,
              count(*) FILTER (WHERE declined IS NOT NULL) AS attempts,
              count(*) FILTER (WHERE declined) AS declined
         FROM payment.risk_assessments
        WHERE merchant_id = $1 AND source = 'CONFIRM' AND ${column} = $2 AND created_at > clock_timestamp() - make_interval(secs => $3)`,
      [merchantId, value, rule.windowSeconds, paymentIntentId],
    )) as Array<{ payments: string; attempts: string; declined: string }>;
    out.set(rule.id, { payments: Number(row?.payments ?? 0), attempts: Number(row?.attempts ?? 0), declined: Number(row?.declined ?? 0) });
  }
  return out;
}
