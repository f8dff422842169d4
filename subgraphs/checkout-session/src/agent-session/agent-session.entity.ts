// An agent session row in `checkout.agent_sessions`: one agent's recommendation window.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { AgentSessionStatus } from './agent-session.enums.js';

@Entity({ name: 'agent_sessions' })
export class AgentSessionEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'agent_id', type: 'text' }) agentId: string;
  /** What the buyer asked the agent for, as the agent reported it. */
  @Column({ type: 'text', nullable: true }) query: string | null;
  @Column({ type: 'text' }) status: AgentSessionStatus;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  @Column({ type: 'integer' }) version: number;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

export function agentSessionSnapshot(s: AgentSessionEntity): Record<string, unknown> {
  return { agentSession: { id: s.id, agentId: s.agentId, status: s.status, expiresAt: s.expiresAt.toISOString(), version: s.version } };
}
