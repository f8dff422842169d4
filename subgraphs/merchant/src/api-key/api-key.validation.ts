// Which owner each key role needs. Pure: no database, no GraphQL.
import { badUserInput } from '@handoff/shared';
import { optionalText } from '../input.js';
import { ApiKeyRole } from './api-key.role.js';

export interface CreateApiKeySpec {
  role: ApiKeyRole | string;
  agentId?: string | null;
  merchantId?: string | null;
  name?: string | null;
}

export interface ApiKeyDraft {
  role: ApiKeyRole;
  merchantId: string | null;
  agentId: string | null;
  name: string | null;
}

export function validateCreateApiKey(input: CreateApiKeySpec): ApiKeyDraft {
  const merchantId = input.merchantId ?? null;
  const agentId = input.agentId ?? null;
  const name = optionalText(input.name, 'name') ?? null;
  switch (input.role) {
    case ApiKeyRole.MERCHANT:
      if (!merchantId) throw badUserInput('merchantId', 'is required for a MERCHANT key.');
      if (agentId) throw badUserInput('agentId', 'must be omitted for a MERCHANT key.');
      return { role: ApiKeyRole.MERCHANT, merchantId, agentId: null, name };
    case ApiKeyRole.AGENT:
      if (!agentId) throw badUserInput('agentId', 'is required for an AGENT key.');
      if (merchantId) throw badUserInput('merchantId', 'must be omitted for an AGENT key.');
      return { role: ApiKeyRole.AGENT, merchantId: null, agentId, name };
    case ApiKeyRole.ADMIN:
      if (merchantId) throw badUserInput('merchantId', 'must be omitted for an ADMIN key.');
      if (agentId) throw badUserInput('agentId', 'must be omitted for an ADMIN key.');
      return { role: ApiKeyRole.ADMIN, merchantId: null, agentId: null, name };
    default:
      throw badUserInput('role', `must be one of ${Object.values(ApiKeyRole).join(', ')}.`);
  }
}

const KEY_HASH = /^[0-9a-f]{64}$/;
export const isKeyHash = (value: unknown): value is string => typeof value === 'string' && KEY_HASH.test(value);
