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

/** The ids a verified payment's checks may look up (from its metadata; unverified, used only as keys). */
export interface PaymentLookups {
  merchantId: string;
  agentId: string | null;
  recommendationId: string | null;
  checkoutSessionId: string | null;
}

export interface Directory {
  /**
   * Starts every lookup a verified payment may need at once, one call per subgraph, and returns
   * a Directory that answers those from the calls' results (each one's own error, if it failed,
   * surfaces only when that lookup is made) and anything else as this one does.
   */
  prefetch?(keys: PaymentLookups): Directory;
  merchant(id: string): Promise<MerchantView | null>;
  agent(id: string): Promise<AgentView | null>;
  recommendation(id: string): Promise<RecommendationView | null>;
  /**
   * The agent of an agent session a merchant reports against, only when that session holds a
   * recommendation of one of `merchantId`'s offers (null otherwise, as for an unknown session).
   */
  agentSession(id: string, merchantId: string): Promise<{ id: string; agentId: string | null } | null>;
  checkoutTotal(checkoutSessionId: string): Promise<Money | null>;
}

const MERCHANT = `query LedgerMerchant($id: ID!) { merchant(id: $id) {
  id status defaultCurrency validationPeriodDays
  commissionTerms { type cpa { amountMinor currency } percentageBps }
  conversionFlow { type steps payableAfter } } }`;
const AGENT = `query LedgerAgent($id: ID!) { agent(id: $id) { id builder { id registered } } }`;
const RECOMMENDATION = `query LedgerRecommendation($id: ID!) { recommendation(id: $id) {
  id session { id agent { id } } offer { id } merchant { id } } }`;
const AGENT_SESSION = `query LedgerAgentSession($id: ID!, $merchantId: ID!) {
  agentSessionRecommending(id: $id, merchantId: $merchantId) { id agent { id } } }`;
const CHECKOUT_TOTAL = `query LedgerCheckoutTotal($id: ID!) { checkoutSession(id: $id) { totals { total { amountMinor currency } } } }`;
const MERCHANT_AND_AGENT = `query LedgerMerchantAndAgent($merchantId: ID!, $agentId: ID!, $withAgent: Boolean!) {
  merchant(id: $merchantId) { ...LedgerMerchant }
  agent(id: $agentId) @include(if: $withAgent) { id builder { id registered } } }
fragment LedgerMerchant on Merchant {
  id status defaultCurrency validationPeriodDays
  commissionTerms { type cpa { amountMinor currency } percentageBps }
  conversionFlow { type steps payableAfter } }`;
const ATTRIBUTION = `query LedgerAttribution($recommendationId: ID!, $withRecommendation: Boolean!, $checkoutSessionId: ID!, $withCheckout: Boolean!) {
  recommendation(id: $recommendationId) @include(if: $withRecommendation) { id session { id agent { id } } offer { id } merchant { id } }
  checkoutSession(id: $checkoutSessionId) @include(if: $withCheckout) { totals { total { amountMinor currency } } } }`;

const isNotFound = (err: unknown) => err instanceof HandoffError && (err.code === ErrorCode.NOT_FOUND || String(err.code).endsWith('_NOT_FOUND'));

/** A "does not exist" answer from the callee reads as null; anything else propagates (the job retries). */
async function orNull<T>(call: Promise<T>): Promise<T | null> {
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
    },
    flow: { type: m.conversionFlow.type, steps: m.conversionFlow.steps, payableAfter: m.conversionFlow.payableAfter ?? null },
  };
}

function toRecommendationView(r: any): RecommendationView | null {
  if (!r) return null;
  return { id: r.id, sessionId: r.session?.id ?? null, offerId: r.offer?.id ?? null, merchantId: r.merchant?.id ?? null, agentId: r.session?.agent?.id ?? null };
}

function toTotal(cs: any): Money | null {
  const t = cs?.totals?.total;
  return t ? money(t.amountMinor, t.currency) : null;
}

type Lookup<T> = { key: string; answer: Promise<T | null> } | null;

/** The answers of a prefetch, by lookup; anything else goes to the live directory. */
class PrefetchedDirectory implements Directory {
  constructor(
    private readonly live: Directory,
    private readonly known: { merchant: Lookup<MerchantView>; agent: Lookup<AgentView>; recommendation: Lookup<RecommendationView>; checkoutTotal: Lookup<Money> },
  ) {}

  private from<T>(lookup: Lookup<T>, key: string, otherwise: () => Promise<T | null>): Promise<T | null> {
    return lookup && lookup.key === key ? lookup.answer : otherwise();
  }

  merchant(id: string) {
    return this.from(this.known.merchant, id, () => this.live.merchant(id));
  }
  agent(id: string) {
    return this.from(this.known.agent, id, () => this.live.agent(id));
  }
  recommendation(id: string) {
    return this.from(this.known.recommendation, id, () => this.live.recommendation(id));
  }
  agentSession(id: string, merchantId: string) {
    return this.live.agentSession(id, merchantId);
  }
  checkoutTotal(checkoutSessionId: string) {
    return this.from(this.known.checkoutTotal, checkoutSessionId, () => this.live.checkoutTotal(checkoutSessionId));
  }
}

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

export class InternalDirectory implements Directory {
  private readonly merchants: InternalClient;
  private readonly checkout: InternalClient;

  constructor(urls: { merchant: string; checkoutSession: string }, secret: string) {
    this.merchants = new InternalClient({ url: urls.merchant, secret, service: 'conversion-ledger' });
    this.checkout = new InternalClient({ url: urls.checkoutSession, secret, service: 'conversion-ledger' });
  }

  async merchant(id: string): Promise<MerchantView | null> {
    const data = await orNull(this.merchants.request<{ merchant: any }>(MERCHANT, { id }));
    return toMerchantView(data?.merchant);
  }

  async agent(id: string): Promise<AgentView | null> {
    const data = await orNull(this.merchants.request<{ agent: AgentView | null }>(AGENT, { id }));
    return data?.agent ?? null;
  }

  async recommendation(id: string): Promise<RecommendationView | null> {
    const data = await orNull(this.checkout.request<{ recommendation: any }>(RECOMMENDATION, { id }));
    return toRecommendationView(data?.recommendation);
  }

  async agentSession(id: string, merchantId: string): Promise<{ id: string; agentId: string | null } | null> {
    const data = await orNull(this.checkout.request<{ agentSessionRecommending: any }>(AGENT_SESSION, { id, merchantId }));
    const s = data?.agentSessionRecommending;
    return s ? { id: s.id, agentId: s.agent?.id ?? null } : null;
  }

  async checkoutTotal(checkoutSessionId: string): Promise<Money | null> {
    const data = await orNull(this.checkout.request<{ checkoutSession: any }>(CHECKOUT_TOTAL, { id: checkoutSessionId }));
    return toTotal(data?.checkoutSession);
  }

  prefetch(k: PaymentLookups): Directory {
    const merchantCall = this.merchants.requestFields(MERCHANT_AND_AGENT, { merchantId: k.merchantId, agentId: k.agentId ?? '', withAgent: !!k.agentId });
    const withCheckout = !!(k.recommendationId || k.checkoutSessionId);
    const checkoutCall = withCheckout
      ? this.checkout.requestFields(ATTRIBUTION, {
          recommendationId: k.recommendationId ?? '',
          withRecommendation: !!k.recommendationId,
          checkoutSessionId: k.checkoutSessionId ?? '',
          withCheckout: !!k.checkoutSessionId,
        })
      : null;
    return new PrefetchedDirectory(this, {
      merchant: { key: k.merchantId, answer: fieldOf(merchantCall, 'merchant', toMerchantView) },
      agent: k.agentId ? { key: k.agentId, answer: fieldOf(merchantCall, 'agent', (a: AgentView | null) => a ?? null) } : null,
      recommendation: checkoutCall && k.recommendationId ? { key: k.recommendationId, answer: fieldOf(checkoutCall, 'recommendation', toRecommendationView) } : null,
      checkoutTotal: checkoutCall && k.checkoutSessionId ? { key: k.checkoutSessionId, answer: fieldOf(checkoutCall, 'checkoutSession', toTotal) } : null,
    });
  }
}
