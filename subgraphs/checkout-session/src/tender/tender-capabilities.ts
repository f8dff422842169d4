// The merchant's checkout capabilities (checkoutCapabilities, issue 19 item 7; an admin sets
// them in the merchant subgraph, checkout-session reads them with the pricing configuration, cached
// and invalidated on change) where tender bites:
//   giftCards off      → applying a gift card or store credit is CAPABILITY_DISABLED (reason
//                         capability:gift_cards), nothing held; removing one stays possible;
//   splitPayments off  → a session is paid by ONE tender: a gift card or store credit must cover
//                         all that is due and be the only hold, else CAPABILITY_DISABLED (reason
//                         capability:split_payments), nothing held; the payment commitment refuses
//                         the same (holds and a card for the rest) when the total moved after applying.
import { DEFAULT_CHECKOUT_CAPABILITIES, ErrorCode, HandoffError, type CheckoutCapabilitiesConfig } from '@handoff/shared';
import type { MerchantPricingPort } from '../ports/merchant-pricing.port.js';

export type TenderCapability = 'gift_cards' | 'split_payments';

export const capabilityDisabled = (capability: TenderCapability, message: string) =>
  new HandoffError(ErrorCode.CAPABILITY_DISABLED, message, { reason: `capability:${capability}` });

export async function capabilitiesOf(pricing: MerchantPricingPort, merchantId: string): Promise<CheckoutCapabilitiesConfig> {
  return (await pricing.pricingConfig(merchantId)).checkout?.capabilities ?? DEFAULT_CHECKOUT_CAPABILITIES;
}

export function assertGiftCardsEnabled(caps: CheckoutCapabilitiesConfig, what: 'gift cards' | 'store credit'): void {
  if (!caps.giftCards) throw capabilityDisabled('gift_cards', `This merchant does not take ${what} (its giftCards capability is off); nothing was applied.`);
}

/**
 * With splitPayments off: the tender about to be held must be the session's only one and cover
 * everything due (`amount` ≥ `due`), so no second tender (another card, or a card payment) is needed.
 */
export function assertSingleTender(caps: CheckoutCapabilitiesConfig, otherHolds: number, amount: number, due: number): void {
  if (caps.splitPayments) return;
  if (otherHolds > 0) throw capabilityDisabled('split_payments', 'This merchant does not take split payments (its splitPayments capability is off): the checkout already holds a gift card or store credit; remove it first.');
  if (amount < due) {
    throw capabilityDisabled('split_payments', `This merchant does not take split payments (its splitPayments capability is off): this tender covers ${amount} of the ${due} due, and the rest could only be paid by another tender.`);
  }
}

/** At the payment commitment: holds that leave something for the card to pay are two tenders. */
export function assertNotSplitAtPayment(caps: Pick<CheckoutCapabilitiesConfig, 'splitPayments'>, holds: number, held: number, total: number): void {
  if (caps.splitPayments || holds === 0) return;
  if (holds > 1 || held < total) {
    throw capabilityDisabled('split_payments', 'This merchant does not take split payments (its splitPayments capability is off): the gift cards or store credit held do not pay the whole checkout; remove them, or pay all of it with one.');
  }
}
