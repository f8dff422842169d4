// The GraphQL faces of agent sessions and recommendations. Resolvers return the entities;
// derived and related fields have field resolvers (agent-session.resolver.ts, recommendation.resolver.ts).
import { Connection } from '@handoff/shared';
import { Directive, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { AgentRef, MerchantRef, OfferRef } from '../federation/stubs.js';
import { AgentSessionStatus } from './agent-session.enums.js';

@ObjectType('AgentSession', { description: "An agent's recommendation window." })
@Directive('@key(fields: "id")')
export class AgentSession {
  @Field(() => ID) id: string;
  @Field(() => AgentSessionStatus, { description: 'An ACTIVE session past expiresAt reads as EXPIRED.' }) status: AgentSessionStatus;
  @Field(() => String, { nullable: true, description: "What the buyer asked for, as the agent reported it." }) query: string | null;
  @Field(() => Date) expiresAt: Date;
  @Field(() => Int) version: number;
  @Field(() => Date) createdAt: Date;
  @Field(() => AgentRef) agent: AgentRef;
  @Field(() => [Recommendation]) recommendations: Recommendation[];
}

@ObjectType('Recommendation')
@Directive('@key(fields: "id")')
export class Recommendation {
  @Field(() => ID) id: string;
  @Field(() => AgentSession) session: AgentSession;
  @Field(() => OfferRef) offer: OfferRef;
  @Field(() => MerchantRef) merchant: MerchantRef;
  @Field(() => AgentRef) agent: AgentRef;
  @Field(() => Date) createdAt: Date;
  @Field(() => String, {
    nullable: true,
    description:
      "The recommendation's attribution token: an AAP code (aap://<AAP_ISSUER>/v1/…) Handoff signed binding the recommendation, its agent session, offer, merchant, agent and expiry (the session's window). Give it to attachCheckoutAttribution (or as an ACP affiliate_attribution token). Only its agent (and admins) read it.",
  })
  attributionToken: string | null;
}

export const AgentSessionConnection = Connection('AgentSession', AgentSession);

@InputType('StartAgentSessionInput')
export class StartAgentSessionInput {
  @Field(() => String, { nullable: true, description: "The buyer's request, for the record (≤ 1000 characters)." })
  query?: string | null;
  @Field(() => Int, { nullable: true, description: 'The recommendation window in seconds: 5 to 86400, default 1800.' })
  ttlSeconds?: number | null;
}

@InputType('RecommendInput')
export class RecommendInput {
  @Field(() => ID) sessionId: string;
  @Field(() => ID) offerId: string;
}
