// The shipping stage behind one interface: BUILT_IN (the merchant's zones and rates,
// shipping.options.ts) or HTTP (the merchant's endpoint, shipping.http-provider.ts).
import type { ShippingStageRequest, ShippingStageResult } from '../calculation/stages.js';
import { builtInShippingOptions } from './shipping.options.js';

export interface ShippingProvider {
  readonly kind: 'BUILT_IN' | 'HTTP';
  shippingOptions(req: ShippingStageRequest): Promise<ShippingStageResult>;
}

export const builtInShippingProvider: ShippingProvider = {
  kind: 'BUILT_IN',
  shippingOptions: async (req) => builtInShippingOptions(req),
};
