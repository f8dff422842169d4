// The promotions stage behind one interface: BUILT_IN (the merchant's promotions,
// promotion.evaluate.ts) or HTTP (the merchant's endpoint, promotion.http-provider.ts).
import type { PromotionStageRequest, PromotionStageResult } from '../calculation/stages.js';
import { evaluatePromotions } from './promotion.evaluate.js';

export interface PromotionProvider {
  readonly kind: 'BUILT_IN' | 'HTTP';
  evaluate(req: PromotionStageRequest): Promise<PromotionStageResult>;
}

export const builtInPromotionProvider: PromotionProvider = {
  kind: 'BUILT_IN',
  evaluate: async (req) => evaluatePromotions(req),
};
