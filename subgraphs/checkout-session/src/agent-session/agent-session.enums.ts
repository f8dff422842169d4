// The agent session's status. Values equal keys, so the database, the API and the code agree.
import { registerEnumType } from 'type-graphql';

export enum AgentSessionStatus {
  ACTIVE = 'ACTIVE',
  CHECKOUT = 'CHECKOUT',
  CONVERTED = 'CONVERTED',
  EXPIRED = 'EXPIRED',
}

registerEnumType(AgentSessionStatus, {
  name: 'AgentSessionStatus',
  description: 'ACTIVE: recommending; CHECKOUT: a checkout URL was handed out; CONVERTED: paid; EXPIRED: the window passed.',
});
