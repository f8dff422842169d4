// The GraphQL face of an Actor (identity/actor.ts): who made a change, as the checkout timeline
// and the audit log show it. A value type both subgraphs that show actors declare (@shareable).
import { Directive, Field, ObjectType, registerEnumType } from 'type-graphql';
import type { Actor } from '../identity/actor.js';

/** ActorKind's GraphQL values; the internal values are the Actor kinds (lower case, as REST shows them). */
export enum ActorKindValue {
  MERCHANT = 'merchant',
  ADMIN = 'admin',
  AGENT = 'agent',
  CLIENT = 'client',
  SERVICE = 'service',
  PSP_WEBHOOK = 'psp_webhook',
  ANONYMOUS = 'anonymous',
}
registerEnumType(ActorKindValue, {
  name: 'ActorKind',
  description: "Who acted: an API key's owner (MERCHANT, ADMIN, AGENT: id is the key's id), the hosted page (CLIENT: id is the checkout session), one of Handoff's services or queues (SERVICE), a PSP's signed webhook (PSP_WEBHOOK: id is provider:event id).",
});

@ObjectType('Actor')
@Directive('@shareable')
export class ActorType {
  @Field(() => ActorKindValue) kind: ActorKindValue;
  @Field() id: string;

  static of(actor: Actor): ActorType {
    const a = new ActorType();
    a.kind = actor.kind as ActorKindValue;
    a.id = actor.id;
    return a;
  }
}
