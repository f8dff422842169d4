// The GraphQL face of agents and builders; `Agent.builder` is a field resolver (agent.resolver.ts).
import { Connection } from '@handoff/shared';
import { Directive, Field, ID, InputType, ObjectType } from 'type-graphql';
import type { AgentEntity, BuilderEntity } from './agent.entity.js';

@ObjectType('Builder', { description: 'Who built an agent; the payee of its builder payouts.' })
export class BuilderType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field() registered: boolean;
  @Field() createdAt: Date;

  static from(b: BuilderEntity): BuilderType {
    return Object.assign(new BuilderType(), { id: b.id, name: b.name, registered: b.registered, createdAt: b.createdAt });
  }
}

@ObjectType('Agent')
@Directive('@key(fields: "id")')
export class AgentType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field() createdAt: Date;
  /** Not a GraphQL field: the `builder` resolver loads it; null = anonymous agent. */
  builderId: string | null;

  static from(a: AgentEntity): AgentType {
    return Object.assign(new AgentType(), { id: a.id, name: a.name, createdAt: a.createdAt, builderId: a.builderId });
  }
}

export const AgentConnection = Connection('Agent', AgentType);

@InputType('RegisterAgentInput')
export class RegisterAgentInput {
  @Field() name: string;
  @Field(() => String, { nullable: true, description: 'Finds or registers the builder by name; omit for an anonymous agent.' })
  builderName?: string | null;
}
