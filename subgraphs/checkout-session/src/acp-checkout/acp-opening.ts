// An agent's new checkout session filled in and priced in its create transaction (the ACP create
// in one GraphQL mutation): the buyer (setCheckoutCustomer's validation), the shipping address
// (setCheckoutShippingAddress's), the shipping option (the one named, refused unless offered for
// the address, as selectCheckoutShipping refuses it; else the first one offered) and one pass of
// the calculation engine over the session as calculateCheckout prices it (sessionPricingInput),
// stored as its current calculation. Nothing here is a second engine: the same validators, the
// same pricing input, the same CalculationService and SessionOpening.record.
import { badUserInput } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import { validateAddress, type AddressInputLike } from '../address/address.validation.js';
import type { StoredAddress } from '../address/address.model.js';
import type { CalculationService, PreparedCalculation } from '../calculation/index.js';
import { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import type { LineItemDraft } from '../checkout-session/checkout-session.validation.js';
import type { LineItemEntity } from '../checkout-session/line-item.entity.js';
import { checkoutWebhookEvent, checkoutWebhookObject } from '../checkout-session/checkout.webhook-event.js';
import { validateCustomer, type CustomerChanges, type CustomerInputLike } from '../customer/customer.validation.js';
import type { SessionOpening } from '../checkout-lifecycle/session-opening.js';
import { sessionPricingInput } from '../session-calculation/session-pricing.js';
import type { StoredShippingSelection } from '../session-shipping/session-shipping.model.js';
import { table } from '../events.js';
import { changeEntries } from '../timeline/timeline.entries.js';
import { recordCheckoutChange } from '../timeline/timeline.record.js';

export interface AgentBuyerDetailsInput {
  customer?: CustomerInputLike | null;
  shippingAddress?: AddressInputLike | null;
  shippingOptionId?: unknown;
}

export interface AgentBuyerDetails {
  customer: CustomerChanges | null;
  shippingAddress: StoredAddress | null;
  shippingOptionId: string | null;
}

/** The details as given, checked before anything is read or written (BAD_USER_INPUT naming the field). */
export function checkBuyerDetails(input: AgentBuyerDetailsInput): AgentBuyerDetails {
  const customer = input.customer === undefined || input.customer === null ? null : validateCustomer(input.customer, { mayNameCustomerId: false });
  const shippingAddress = input.shippingAddress === undefined || input.shippingAddress === null ? null : validateAddress(input.shippingAddress, 'input.shippingAddress');
  let shippingOptionId: string | null = null;
  if (input.shippingOptionId !== undefined && input.shippingOptionId !== null) {
    shippingOptionId = typeof input.shippingOptionId === 'string' ? input.shippingOptionId.trim() : '';
    if (!shippingOptionId || shippingOptionId.length > 200) throw badUserInput('input.shippingOptionId', 'must be a shipping option id.');
    if (!shippingAddress) throw badUserInput('input.shippingOptionId', 'needs input.shippingAddress: options depend on it.');
  }
  return { customer, shippingAddress, shippingOptionId };
}

interface NewSession {
  id: string;
  merchantId: string;
  currency: string;
}

export class AgentSessionPricing {
  constructor(
    private readonly calculations: Pick<CalculationService, 'compute' | 'shippingOptions'>,
    private readonly opening: SessionOpening,
  ) {}

  /** The session with its details as calculateCheckout would see it, priced once (the shipping selection made first). */
  async price(session: NewSession, lines: readonly LineItemDraft[], d: AgentBuyerDetails): Promise<{ prepared: PreparedCalculation; selection: StoredShippingSelection | null }> {
    const cs = {
      ...session,
      customerEmail: d.customer?.customerEmail ?? null,
      customerId: null,
      shippingAddress: d.shippingAddress,
      billingAddress: null,
      selectedShipping: null as StoredShippingSelection | null,
      shipmentPlan: null,
      promotionCodes: [],
    } as unknown as CheckoutSessionEntity;
    const rows = lines.map(
      (l, position) => ({ position, name: l.name, unitAmountMinor: l.unitAmountMinor, quantity: l.quantity, offerId: l.offerId, taxCategory: l.taxCategory, sku: l.sku }) as LineItemEntity,
    );
    if (d.shippingAddress) {
      const { shippingOptions } = await this.calculations.shippingOptions(sessionPricingInput(cs, rows));
      if (d.shippingOptionId && !shippingOptions.some((o) => o.id === d.shippingOptionId)) {
        throw badUserInput('input.shippingOptionId', `the shipping option "${d.shippingOptionId.slice(0, 100)}" is not offered for this address and these items.`);
      }
      const chosen = d.shippingOptionId ?? shippingOptions[0]?.id;
      if (chosen) cs.selectedShipping = { kind: 'SHIPPING', id: chosen };
    }
    return { prepared: await this.calculations.compute(sessionPricingInput(cs, rows)), selection: cs.selectedShipping };
  }

  /**
   * In the create transaction, after the insert (made with `announceCreated: false`): the details,
   * the channel and the calculation as current (version stays 1), then its checkout.created and
   * timeline with the priced session.
   */
  async record(
    manager: EntityManager,
    inserted: CheckoutSessionEntity,
    d: AgentBuyerDetails,
    priced: { prepared: PreparedCalculation; selection: StoredShippingSelection | null },
  ): Promise<CheckoutSessionEntity> {
    if (d.customer?.customerPhone || d.shippingAddress || priced.selection) {
      await manager.query(
        `UPDATE ${table('checkout_sessions')} SET customer_phone = $2, shipping_address = $3::jsonb, selected_shipping = $4::jsonb WHERE id = $1`,
        [inserted.id, d.customer?.customerPhone ?? null, d.shippingAddress ? JSON.stringify(d.shippingAddress) : null, priced.selection ? JSON.stringify(priced.selection) : null],
      );
    }
    await this.opening.record(manager, inserted.id, await this.opening.withDefaults(inserted.merchantId, { channel: 'agent' }), priced.prepared);
    const after = await manager.findOneByOrFail(CheckoutSessionEntity, { id: inserted.id });
    await recordCheckoutChange(manager, [checkoutWebhookEvent('checkout.created', after, null)], changeEntries(after, checkoutWebhookObject(inserted), checkoutWebhookObject(after)));
    return after;
  }
}
