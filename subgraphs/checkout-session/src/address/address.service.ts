// The buyer's addresses on a checkout session (seed 003 §2). Setting the shipping address marks
// the calculation stale, and when the place changes (country, region or postal code) drops a
// shipping-option selection, whose option may not be offered there (the options are read anew for
// the new address; a pickup location stays chosen). The billing address does not affect prices.
import type { Principal } from '@handoff/shared';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import type { SessionChanger } from '../session-change/session-change.js';
import { destinationChanged, validateAddress, type AddressInputLike } from './address.validation.js';

export class AddressService {
  constructor(private readonly changer: SessionChanger) {}

  setShippingAddress(principal: Principal, id: string, input: AddressInputLike, expectedVersion?: number | null, key?: string): Promise<CheckoutSessionEntity> {
    const address = validateAddress(input, 'shippingAddress');
    return this.changer.change(principal, id, expectedVersion, (cs) => {
      const moved = destinationChanged(cs.shippingAddress ?? null, address);
      const keepSelection = !moved || cs.selectedShipping?.kind === 'PICKUP';
      return {
        changes: {
          shippingAddress: address,
          calculationStale: true,
          ...(keepSelection ? {} : { selectedShipping: null }),
        },
      };
    }, { key, operation: 'setCheckoutShippingAddress', input });
  }

  setBillingAddress(principal: Principal, id: string, input: AddressInputLike, expectedVersion?: number | null, key?: string): Promise<CheckoutSessionEntity> {
    const address = validateAddress(input, 'billingAddress');
    return this.changer.change(principal, id, expectedVersion, () => ({ changes: { billingAddress: address } }), { key, operation: 'setCheckoutBillingAddress', input });
  }
}
