// The GraphQL face of the audit log: auditLog(filter, first, after), ADMIN only.
import { ActorKindValue, ActorType, Connection } from '@handoff/shared';
import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType } from 'type-graphql';

@ObjectType('AuditLogEntry', { description: 'One state or configuration change, with who made it (seed 003 §17). Append-only.' })
export class AuditLogEntry {
  @Field(() => ID) id: string;
  @Field(() => Date, { description: 'When the change was made.' }) at: Date;
  @Field({
    description:
      'What changed: merchant, offer, agent, builder, api_key, payment_connector, shipping_config, tax_config, promotion, pricing_provider, webhook_endpoint, checkout_settings, checkout_session, payment_intent, risk_settings, conversion, settlement_batch.',
  })
  entityType: string;
  @Field(() => ID) entityId: string;
  @Field(() => ID, { nullable: true, description: 'The merchant it belongs to; null for platform-level things (an agent, a builder, an admin key).' })
  merchantId: string | null;
  @Field({ description: 'created, updated, deleted, revoked, or the status it moved to (completed, succeeded, canceled…).' }) action: string;
  @Field(() => ActorType) actor: ActorType;
  @Field(() => String, { nullable: true, description: 'The request that made it (null for a scheduled job).' }) requestId: string | null;
  @Field(() => GraphQLJSON, { nullable: true, description: 'The audited fields before the change (null for a creation). Never a secret.' })
  before: Record<string, unknown> | null;
  @Field(() => GraphQLJSON, { nullable: true, description: 'The audited fields after the change (null for a deletion).' })
  after: Record<string, unknown> | null;
  @Field({ description: 'The package that recorded it: merchant, checkout, payment, ledger.' }) source: string;
}

export const AuditLogConnection = Connection('AuditLog', AuditLogEntry);

@InputType('AuditLogFilter')
export class AuditLogFilterInput {
  @Field(() => ID, { nullable: true }) merchantId?: string | null;
  @Field(() => String, { nullable: true, description: 'One of AuditLogEntry.entityType.' }) entityType?: string | null;
  @Field(() => ID, { nullable: true }) entityId?: string | null;
  @Field(() => ActorKindValue, { nullable: true }) actorKind?: ActorKindValue | null;
  @Field(() => String, { nullable: true }) actorId?: string | null;
  @Field(() => Date, { nullable: true, description: 'At or after this time.' }) since?: Date | null;
  @Field(() => Date, { nullable: true, description: 'Before this time.' }) until?: Date | null;
}
