// A recommendation row in `checkout.recommendations`: an agent recommended an offer in a session.
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'recommendations' })
export class RecommendationEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'agent_session_id', type: 'text' }) agentSessionId: string;
  @Column({ name: 'agent_id', type: 'text' }) agentId: string;
  @Column({ name: 'offer_id', type: 'text' }) offerId: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  /** The recommendation's attribution token (an AAP code with no checkout session); null for rows recorded before tokens. */
  @Column({ name: 'attribution_token', type: 'text', nullable: true }) attributionToken: string | null;
}
