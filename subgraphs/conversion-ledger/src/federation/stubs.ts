// Entities owned by other subgraphs, referenced here by id only. `resolvable: false`: this
// subgraph never resolves them; field resolvers return `{ id }` and the gateway fetches the rest.
import { Directive, Field, ID, ObjectType } from 'type-graphql';

@ObjectType('Merchant')
@Directive('@key(fields: "id", resolvable: false)')
export class MerchantRef {
  @Field(() => ID)
  id: string;
}

@ObjectType('Agent')
@Directive('@key(fields: "id", resolvable: false)')
export class AgentRef {
  @Field(() => ID)
  id: string;
}

@ObjectType('PaymentIntent')
@Directive('@key(fields: "id", resolvable: false)')
export class PaymentIntentRef {
  @Field(() => ID)
  id: string;
}

@ObjectType('Recommendation')
@Directive('@key(fields: "id", resolvable: false)')
export class RecommendationRef {
  @Field(() => ID)
  id: string;
}

@ObjectType('AgentSession')
@Directive('@key(fields: "id", resolvable: false)')
export class AgentSessionRef {
  @Field(() => ID)
  id: string;
}
