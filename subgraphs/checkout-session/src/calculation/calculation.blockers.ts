// Blockers that compare a fresh calculation with what the session last showed the buyer, and
// the inventory hook. The other blockers (promotion_invalid, address_invalid,
// shipping_not_selected, payment_method_not_supported) come out of the calculation itself.
import type { Blocker, Calculation, CalculationLineInput } from './calculation.types.js';

/**
 * tax_mismatch: the tax the buyer was last shown (the session's stored calculation) is not the
 * tax a fresh calculation gives (a rate, the address or the merchant's tax service changed).
 * Compared on the tax added and the tax included, so it holds for either pricing convention.
 */
export function taxMismatch(shown: Pick<Calculation, 'totals'> | null, fresh: Pick<Calculation, 'totals'>): Blocker | null {
  if (!shown) return null;
  const was = shown.totals;
  const now = fresh.totals;
  if (was.currency === now.currency && was.taxTotal === now.taxTotal && was.includedTaxTotal === now.includedTaxTotal) return null;
  return {
    code: 'tax_mismatch',
    message: `The tax shown (${was.taxTotal + was.includedTaxTotal} ${was.currency} minor units) is no longer the tax due (${now.taxTotal + now.includedTaxTotal} ${now.currency}); recalculate before paying.`,
  };
}

/** A line short of stock, as an inventory check reports it. */
export interface InventoryShortfall {
  lineId: string;
  offerId: string | null;
  requested: number;
  available: number;
}

/**
 * The hook for inventory_shortfall: an inventory check (reservations, another engineer's) that
 * answers which lines are short. None is wired yet; CalculationService.validate asks one when given.
 */
export interface InventoryCheck {
  shortfalls(merchantId: string, lines: Array<Required<Pick<CalculationLineInput, 'quantity'>> & { id: string; offerId: string | null }>): Promise<InventoryShortfall[]>;
}

export const inventoryShortfall = (s: InventoryShortfall): Blocker => ({
  code: 'inventory_shortfall',
  message: `Only ${s.available} of the ${s.requested} requested are available.`,
  lineId: s.lineId,
});
