// The JSON an agent SDK reads from the agent REST routes (seed 000's camelCase, amounts as the
// graph's Money plus seed 000's major-unit `amount`), built from the GraphQL answers.
export const SESSION_FIELDS = `id status query expiresAt createdAt`;
export const RECOMMENDATION_FIELDS = `id createdAt attributionToken session { id } offer { id } merchant { id } agent { id }`;
export const OFFER_FIELDS = `id name provider description price { amountMinor currency amount } merchant { id name }`;

interface MoneyJson {
  amountMinor: number;
  currency: string;
  amount: string;
}

export interface SessionNode {
  id: string;
  status: string;
  query: string | null;
  expiresAt: string;
  createdAt: string;
}

export interface RecommendationNode {
  id: string;
  createdAt: string;
  attributionToken: string | null;
  session: { id: string };
  offer: { id: string };
  merchant: { id: string };
  agent: { id: string };
}

export interface OfferNode {
  id: string;
  name: string;
  provider: string;
  description: string | null;
  price: MoneyJson;
  merchant: { id: string; name: string } | null;
}

export const sessionJson = (s: SessionNode) => ({ id: s.id, status: s.status.toLowerCase(), query: s.query, expiresAt: s.expiresAt, createdAt: s.createdAt });

export const recommendationJson = (r: RecommendationNode) => ({
  id: r.id,
  sessionId: r.session.id,
  offerId: r.offer.id,
  merchantId: r.merchant.id,
  agentId: r.agent.id,
  createdAt: r.createdAt,
  /** The AAP code to carry as ACP's affiliate_attribution token (provider: this Handoff's AAP issuer). */
  attributionToken: r.attributionToken,
});

export const offerJson = (o: OfferNode) => ({
  id: o.id,
  name: o.name,
  provider: o.provider,
  description: o.description,
  price: { amountMinor: o.price.amountMinor, currency: o.price.currency },
  amount: Number(o.price.amount),
  currency: o.price.currency,
  merchant: o.merchant,
});
