// What a merchant may send to choose a pricing provider. Pure: whether private URLs are allowed is passed in.
import { badUserInput, type PricingConcern, type PricingProviderFallback, type PricingProviderKind } from '@handoff/shared';
import { optionalInt } from '../checkout-pricing/pricing.validation.js';
import { validateEndpointUrl } from './endpoint-url.js';

export const CONCERNS: readonly PricingConcern[] = ['TAX', 'SHIPPING', 'PROMOTIONS', 'INVENTORY'];
export const DEFAULT_TIMEOUT_MS = 3000;
export const MIN_TIMEOUT_MS = 100;
export const MAX_TIMEOUT_MS = 30_000;

export interface PricingProviderSpec {
  kind: string;
  endpointUrl?: string | null;
  timeoutMs?: number | null;
  fallback?: string | null;
  rotateSigningSecret?: boolean | null;
}

export type PricingProviderDraft =
  | { kind: 'BUILT_IN' }
  | { kind: 'HTTP'; endpointUrl: string; timeoutMs: number; fallback: PricingProviderFallback; rotateSigningSecret: boolean };

export function pricingConcern(value: unknown): PricingConcern {
  if (!CONCERNS.includes(value as PricingConcern)) throw badUserInput('concern', `must be one of ${CONCERNS.join(', ')}.`);
  return value as PricingConcern;
}

export function validatePricingProvider(input: PricingProviderSpec, allowPrivateUrls: boolean): PricingProviderDraft {
  if (!input || typeof input !== 'object') throw badUserInput('input', 'is required.');
  const given = (v: unknown) => v !== null && v !== undefined;
  switch (input.kind as PricingProviderKind) {
    case 'BUILT_IN':
      for (const f of ['endpointUrl', 'timeoutMs', 'fallback', 'rotateSigningSecret'] as const) {
        if (given(input[f])) throw badUserInput(`input.${f}`, 'must be omitted for a BUILT_IN provider.');
      }
      return { kind: 'BUILT_IN' };
    case 'HTTP': {
      const fallback = input.fallback ?? 'BUILT_IN';
      if (fallback !== 'BUILT_IN' && fallback !== 'FAIL') throw badUserInput('input.fallback', 'must be BUILT_IN or FAIL.');
      return {
        kind: 'HTTP',
        endpointUrl: validateEndpointUrl(input.endpointUrl, 'input.endpointUrl', allowPrivateUrls),
        timeoutMs: optionalInt(input.timeoutMs, 'input.timeoutMs', MIN_TIMEOUT_MS, MAX_TIMEOUT_MS) ?? DEFAULT_TIMEOUT_MS,
        fallback,
        rotateSigningSecret: input.rotateSigningSecret === true,
      };
    }
    default:
      throw badUserInput('input.kind', 'must be BUILT_IN or HTTP.');
  }
}
