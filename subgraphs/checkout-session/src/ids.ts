// Ids of this subgraph: a short prefix naming the kind, then a ULID (so ids sort by creation).
import { ulid } from 'ulid';

export const IdPrefix = { agentSession: 'ags', recommendation: 'rec', checkoutSession: 'cs', calculation: 'calc', reservation: 'rsv' } as const;

export const newId = (prefix: (typeof IdPrefix)[keyof typeof IdPrefix]): string => `${prefix}_${ulid()}`;
