// Agents (merchant.agents) and the builders who made them (merchant.builders). An agent with
// no builder is anonymous: its conversions earn no builder payout until one is registered.
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'agents' })
export class AgentEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text', name: 'builder_id', nullable: true }) builderId: string | null;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt: Date;
}

@Entity({ name: 'builders' })
export class BuilderEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  /** Unique, case-insensitively. */
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'boolean' }) registered: boolean;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
}
