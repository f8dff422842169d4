// What the ledger reads from other subgraphs (merchant terms and flows, agents' builders,
// recommendations, agent sessions, checkout totals), as one port. The live implementation asks
// them as the SERVICE principal through InternalClient; tests pass their own.
import { ErrorCode, HandoffError, InternalClient, money, type Money } from '@handoff/shared';
import { CommissionType, type CommissionTerms } from '../commission/commission.js';

export interface MerchantView {
  id: string;
  status: string;
  defaultCurrency: string;
  validationPeriodDays: number;
  terms: CommissionTerms & { cpaCurrency: string | null };
  flow: { type: string; steps: string[]; payableAfter: string | null };
}

export interface AgentView {
  id: string;
  /** Null: an anonymous agent. */
  builder: { id: string; registered: boolean } | null;
}

export interface RecommendationView {
  id: string;
  sessionId: string | null;
  offerId: string | null;
  merchantId: string | null;
  agentId: string | null;
}

export interface Directory {
  merchant(id: string): Promise<MerchantView | null>;
  agent(id: string): Promise<AgentView | null>;
  recommendation(id: string): Promise<RecommendationView | null>;
  /** The agent of an agent session (the AAP session a merchant reports against). */
  agentSession(id: string): Promise<{ id: string; agentId: string | null } | null>;
  checkoutTotal(checkoutSessionId: string): Promise<Money | null>;
}

const MERCHANT = `query LedgerMerchant($id: ID!) { merchant(id: $id) {
  id status defaultCurrency validationPeriodDays
  commissionTerms { type cpa { amountMinor currency } percentageBps }
  conversionFlow { type steps payableAfter } } }`;
const AGENT = `query LedgerAgent($id: ID!) { agent(id: $id) { id builder { id registered } } }`;
const RECOMMENDATION = `query LedgerRecommendation($id: ID!) { recommendation(id: $id) {
  id session { id agent { id } } offer { id } merchant { id } } }`;
const AGENT_SESSION = `query LedgerAgentSession($id: ID!) { agentSession(id: $id) { id agent { id } } }`;
const CHECKOUT_TOTAL = `query LedgerCheckoutTotal($id: ID!) { checkoutSession(id: $id) { totals { total { amountMinor currency } } } }`;

/** A "does not exist" answer from the callee reads as null; anything else propagates (the job retries). */
async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof HandoffError && (err.code === ErrorCode.NOT_FOUND || String(err.code).endsWith('_NOT_FOUND'))) return null;
    throw err;
  }
}

export class InternalDirectory implements Directory {
  private readonly merchants: InternalClient;
  private readonly checkout: InternalClient;

  constructor(urls: { merchant: string; checkoutSession: string }, secret: string) {
    this.merchants = new InternalClient({ url: urls.merchant, secret, service: 'conversion-ledger' });
    this.checkout = new InternalClient({ url: urls.checkoutSession, secret, service: 'conversion-ledger' });
  }

  async merchant(id: string): Promise<MerchantView | null> {
    const data = await orNull(this.merchants.request<{ merchant: any }>(MERCHANT, { id }));
    const m = data?.merchant;
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
      },
      flow: { type: m.conversionFlow.type, steps: m.conversionFlow.steps, payableAfter: m.conversionFlow.payableAfter ?? null },
    };
  }

  async agent(id: string): Promise<AgentView | null> {
    const data = await orNull(this.merchants.request<{ agent: AgentView | null }>(AGENT, { id }));
    return data?.agent ?? null;
  }

  async recommendation(id: string): Promise<RecommendationView | null> {
    const data = await orNull(this.checkout.request<{ recommendation: any }>(RECOMMENDATION, { id }));
    const r = data?.recommendation;
    if (!r) return null;
    return {
      id: r.id,
      sessionId: r.session?.id ?? null,
      offerId: r.offer?.id ?? null,
      merchantId: r.merchant?.id ?? null,
      agentId: r.session?.agent?.id ?? null,
    };
  }

  async agentSession(id: string): Promise<{ id: string; agentId: string | null } | null> {
    const data = await orNull(this.checkout.request<{ agentSession: any }>(AGENT_SESSION, { id }));
    const s = data?.agentSession;
    return s ? { id: s.id, agentId: s.agent?.id ?? null } : null;
  }

  async checkoutTotal(checkoutSessionId: string): Promise<Money | null> {
    const data = await orNull(this.checkout.request<{ checkoutSession: any }>(CHECKOUT_TOTAL, { id: checkoutSessionId }));
    const t = data?.checkoutSession?.totals?.total;
    return t ? money(t.amountMinor, t.currency) : null;
  }
}
