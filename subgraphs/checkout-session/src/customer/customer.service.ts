// The buyer's contact details on a checkout session (seed 003 §2: customer and contact). A change
// of email or customer id changes who the buyer is for per-customer promotion limits, so it
// marks the calculation stale.
import type { Principal } from '@handoff/shared';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import type { SessionChanger } from '../session-change/session-change.js';
import { customerKeyOf } from '../session-calculation/session-pricing.js';
import { validateCustomer, type CustomerInputLike } from './customer.validation.js';

export class CustomerService {
  constructor(private readonly changer: SessionChanger) {}

  setCustomer(principal: Principal, id: string, input: CustomerInputLike, expectedVersion?: number | null, key?: string): Promise<CheckoutSessionEntity> {
    const changes = validateCustomer(input, { mayNameCustomerId: principal.kind !== 'CLIENT' });
    return this.changer.change(principal, id, expectedVersion, (cs) => {
      const after = { customerId: cs.customerId, customerEmail: cs.customerEmail, ...changes };
      const stale = customerKeyOf(after) !== customerKeyOf(cs);
      return { changes: { ...changes, ...(stale ? { calculationStale: true } : {}) } };
    }, { key, operation: 'setCheckoutCustomer', input });
  }
}
