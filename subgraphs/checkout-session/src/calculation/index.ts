// The calculation engine's public surface for the rest of checkout-session.
export { calculate, calculateWith, type Providers } from './calculate.js';
export { providersFor } from './providers.js';
export { CalculationService, merchantShips, type CalculationServiceOptions, type PreparedCalculation, type SessionPricingInput } from './calculation.service.js';
export type { StoredCalculation } from './calculation.store.js';
export { taxMismatch, inventoryShortfall, type InventoryCheck, type InventoryShortfall } from './calculation.blockers.js';
export { providerUnavailable, promotionInvalidError } from './calculation.errors.js';
export type * from './calculation.types.js';
export { redeemPromotions, releasePromotions, promotionUsage } from '../promotion/promotion.redemption.js';
