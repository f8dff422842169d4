// The tax stage behind one interface: BUILT_IN (the merchant's rates, tax.rates.ts) or HTTP
// (the merchant's endpoint, tax.http-provider.ts).
import type { TaxStageRequest, TaxStageResult } from '../calculation/stages.js';
import { builtInTax } from './tax.rates.js';

export interface TaxProvider {
  readonly kind: 'BUILT_IN' | 'HTTP';
  calculateTax(req: TaxStageRequest): Promise<TaxStageResult>;
}

export const builtInTaxProvider: TaxProvider = {
  kind: 'BUILT_IN',
  calculateTax: async (req) => builtInTax(req),
};
