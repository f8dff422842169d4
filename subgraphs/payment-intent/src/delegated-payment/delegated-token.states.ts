// A delegated token's lifecycle: ACTIVE until it pays once (CONSUMED, terminal). Expiry is not a
// status: a token past allowance.expires_at is refused by time (DELEGATED_TOKEN_EXPIRED); a
// declined payment charged nothing and leaves it ACTIVE.
import { stateTable } from '@handoff/shared';

export const DelegatedTokenStatus = { ACTIVE: 'ACTIVE', CONSUMED: 'CONSUMED' } as const;
export type DelegatedTokenStatus = (typeof DelegatedTokenStatus)[keyof typeof DelegatedTokenStatus];

export const delegatedTokenStates = stateTable<DelegatedTokenStatus>('delegated_token', {
  ACTIVE: ['CONSUMED'],
  CONSUMED: [],
});
