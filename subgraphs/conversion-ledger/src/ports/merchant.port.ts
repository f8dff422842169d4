// What the ledger asks the merchant subgraph: a merchant's commission terms and conversion flow,
// an agent's builder. Signed GraphQL, SERVICE principal (docs/internal-contracts.md).
//
// Timeout: MERCHANT_CALL_TIMEOUT_MS. When the merchant subgraph is down or slow:
//  - on the payment-event path (recordVerified, a BullMQ job) the call throws InternalCallError
//    and the job retries with its backoff: the conversion is recorded once the merchant
//    subgraph answers again, nothing is written before. A known synchronous exception on the
//    event path (the terms in force are the merchant's, not in the event).
//  - in a request (reportConversion, resolveFlaggedConversion) the caller gets the error
//    (a transport failure is INTERNAL_SERVER_ERROR at the edge) and nothing is written;
//  - in a settlement run the run fails and is retried by its job.
// A "does not exist" answer reads as null; any other error propagates.
import { ErrorCode, HandoffError, InternalClient } from '@handoff/shared';
import { CommissionType, type CommissionTerms } from '../commission/commission.js';
import { FIRST_PAYMENT_ONLY, type RecurringCommission, type RecurringCommissionRule } from '../commission/recurring-commission.js';

/** How long the ledger waits for the merchant subgraph, per call. */
export const MERCHANT_CALL_TIMEOUT_MS = 10_000;

export interface MerchantView {
  id: string;
  status: string;
  defaultCurrency: string;
  validationPeriodDays: number;
  /** `recurring`: which paid periods of a subscription earn commission (commission/recurring-commission.ts). */
  terms: CommissionTerms & { cpaCurrency: string | null; recurring: RecurringCommission };
  flow: { type: string; steps: string[]; payableAfter: string | null };
}

export interface AgentView {
  id: string;
  /** Null: an anonymous agent. */
  builder: { id: string; registered: boolean } | null;
}

/** The ids a verified payment's merchant lookups use (from its metadata; unverified, used only as keys). */
export interface MerchantLookups {
  merchantId: string;
  agentId: string | null;
}

/** The merchant subgraph as the ledger needs it; tests pass their own. */
export interface MerchantPort {
  merchant(id: string): Promise<MerchantView | null>;
  agent(id: string): Promise<AgentView | null>;
}

const MERCHANT = `query LedgerMerchant($id: ID!) { merchant(id: $id) {
  id status defaultCurrency validationPeriodDays
  commissionTerms { type cpa { amountMinor currency } percentageBps recurring { rule periods paidPeriod } }
  conversionFlow { type steps payableAfter } } }`;
const AGENT = `query LedgerAgent($id: ID!) { agent(id: $id) { id builder { id registered } } }`;
const MERCHANT_AND_AGENT = `query LedgerMerchantAndAgent($merchantId: ID!, $agentId: ID!, $withAgent: Boolean!) {
  merchant(id: $merchantId) { ...LedgerMerchant }
  agent(id: $agentId) @include(if: $withAgent) { id builder { id registered } } }
fragment LedgerMerchant on Merchant {
  id status defaultCurrency validationPeriodDays
  commissionTerms { type cpa { amountMinor currency } percentageBps recurring { rule periods paidPeriod } }
  conversionFlow { type steps payableAfter } }`;

export const isNotFound = (err: unknown) => err instanceof HandoffError && (err.code === ErrorCode.NOT_FOUND || String(err.code).endsWith('_NOT_FOUND'));

/** A "does not exist" answer from the callee reads as null; anything else propagates (the job retries). */
export async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

function toMerchantView(m: any): MerchantView | null {
  if (!m) return null;
  return {
    id: m.id,
    status: m.status,
    defaultCurrency: m.defaultCurrency,
    validationPeriodDays: m.validationPeriodDays,
    terms: {
      type: m.commissionTerms.type as CommissionType,
      cpaMinor: m.commissionTerms.cpa?.amountMinor ?? null,
      cpaCurrency: m.commissionTerms.cpa?.currency ?? null,
      percentageBps: m.commissionTerms.percentageBps ?? null,
      recurring: m.commissionTerms.recurring
        ? { rule: m.commissionTerms.recurring.rule as RecurringCommissionRule, periods: m.commissionTerms.recurring.periods ?? null, paidPeriod: m.commissionTerms.recurring.paidPeriod ?? null }
        : FIRST_PAYMENT_ONLY,
    },
    flow: { type: m.conversionFlow.type, steps: m.conversionFlow.steps, payableAfter: m.conversionFlow.payableAfter ?? null },
  };
}

export type Lookup<T> = { key: string; answer: Promise<T | null> } | null;

/** One field of a combined call: its value (mapped), null when the callee says it does not exist, or its own error. */
function fieldOf<T>(call: Promise<{ data: Record<string, unknown>; errors: Partial<Record<string, Error>> }>, name: string, map: (v: any) => T | null): Promise<T | null> {
  const answer = call.then(({ data, errors }) => {
    const err = errors[name];
    if (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    return map(data[name]);
  });
  answer.catch(() => undefined); // surfaces only if that lookup is made
  return answer;
}

export class InternalMerchantPort implements MerchantPort {
  private readonly client: InternalClient;

  constructor(url: string, secret: string) {
    this.client = new InternalClient({ url, secret, service: 'conversion-ledger', timeoutMs: MERCHANT_CALL_TIMEOUT_MS });
  }

  async merchant(id: string): Promise<MerchantView | null> {
    const data = await orNull(this.client.request<{ merchant: any }>(MERCHANT, { id }));
    return toMerchantView(data?.merchant);
  }

  async agent(id: string): Promise<AgentView | null> {
    const data = await orNull(this.client.request<{ agent: AgentView | null }>(AGENT, { id }));
    return data?.agent ?? null;
  }

  /** The merchant and the agent in one call, started now; each answer (or its own error) when asked. */
  prefetch(k: MerchantLookups): { merchant: Lookup<MerchantView>; agent: Lookup<AgentView> } {
    const call = this.client.requestFields(MERCHANT_AND_AGENT, { merchantId: k.merchantId, agentId: k.agentId ?? '', withAgent: !!k.agentId });
    return {
      merchant: { key: k.merchantId, answer: fieldOf(call, 'merchant', toMerchantView) },
      agent: k.agentId ? { key: k.agentId, answer: fieldOf(call, 'agent', (a: AgentView | null) => a ?? null) } : null,
    };
  }
}
