// An agent's checkout session filled in and priced in one transaction (the ACP create and update,
// each one GraphQL mutation): the buyer (setCheckoutCustomer's validation), the shipping address
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
export function checkBuyerDetails(input: AgentBuyerDetailsInput, opts: { addressOnSession?: boolean } = {}): AgentBuyerDetails {
  const customer = input.customer === undefined || input.customer === null ? null : validateCustomer(input.customer, { mayNameCustomerId: true });
  const shippingAddress = input.shippingAddress === undefined || input.shippingAddress === null ? null : validateAddress(input.shippingAddress, 'input.shippingAddress');
  let shippingOptionId: string | null = null;
  if (input.shippingOptionId !== undefined && input.shippingOptionId !== null) {
    shippingOptionId = typeof input.shippingOptionId === 'string' ? input.shippingOptionId.trim() : '';
    if (!shippingOptionId || shippingOptionId.length > 200) throw badUserInput('input.shippingOptionId', 'must be a shipping option id.');
    if (!shippingAddress && !opts.addressOnSession) throw badUserInput('input.shippingOptionId', 'needs input.shippingAddress: options depend on it.');
  }
  return { customer, shippingAddress, shippingOptionId };
}

/** New lines as the engine reads a session's lines (positions from 0). */
export const rowsOf = (lines: readonly LineItemDraft[]): LineItemEntity[] =>
  lines.map(
    (l, position) => ({ position, name: l.name, unitAmountMinor: l.unitAmountMinor, quantity: l.quantity, offerId: l.offerId, taxCategory: l.taxCategory, sku: l.sku }) as LineItemEntity,
  );

interface NewSession {
  id: string;
  merchantId: string;
  currency: string;
}

export class AgentSessionPricing {
  constructor(
    readonly calculations: Pick<CalculationService, 'compute' | 'shippingOptions' | 'store'>,
    private readonly opening: SessionOpening,
  ) {}

  /** The session with its details as calculateCheckout would see it, priced once (the shipping selection made first). */
  async price(session: NewSession, lines: readonly LineItemDraft[], d: AgentBuyerDetails): Promise<{ prepared: PreparedCalculation; selection: StoredShippingSelection | null }> {
    const cs = {
      ...session,
      customerEmail: d.customer?.customerEmail ?? null,
      customerId: d.customer?.customerId ?? null,
      shippingAddress: d.shippingAddress,
      billingAddress: null,
      selectedShipping: null,
      shipmentPlan: null,
      promotionCodes: [],
    } as unknown as CheckoutSessionEntity;
    return this.priceAs(cs, rowsOf(lines), d.shippingOptionId);
  }

  /**
   * `cs` (a session as it will be) priced with `rows`: with an address, `optionId` selected when
   * offered (BAD_USER_INPUT otherwise), else its selection kept, else the first option offered.
   */
  async priceAs(cs: CheckoutSessionEntity, rows: readonly LineItemEntity[], optionId: string | null): Promise<{ prepared: PreparedCalculation; selection: StoredShippingSelection | null }> {
    let selection = cs.selectedShipping ?? null;
    if (cs.shippingAddress && (optionId || !selection)) {
      const { shippingOptions } = await this.calculations.shippingOptions(sessionPricingInput(cs, rows));
      if (optionId && !shippingOptions.some((o) => o.id === optionId)) {
        throw badUserInput('input.shippingOptionId', `the shipping option "${optionId.slice(0, 100)}" is not offered for this address and these items.`);
      }
      const chosen = optionId ?? shippingOptions[0]?.id;
      if (chosen) selection = { kind: 'SHIPPING', id: chosen };
    } else if (optionId) {
      throw badUserInput('input.shippingOptionId', 'set a shipping address first: options depend on it.');
    }
    const priced = { ...cs, selectedShipping: selection } as CheckoutSessionEntity;
    return { prepared: await this.calculations.compute(sessionPricingInput(priced, rows)), selection };
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
    const c = d.customer;
    if (c?.customerPhone || c?.customerId || c?.customerSaveForLater || d.shippingAddress || priced.selection) {
      await manager.query(
        `UPDATE ${table('checkout_sessions')} SET customer_phone = $2, customer_id = $3, customer_save_for_later = $4, shipping_address = $5::jsonb, selected_shipping = $6::jsonb WHERE id = $1`,
        [inserted.id, c?.customerPhone ?? null, c?.customerId ?? null, c?.customerSaveForLater ?? false, d.shippingAddress ? JSON.stringify(d.shippingAddress) : null, priced.selection ? JSON.stringify(priced.selection) : null],
      );
    }
    await this.opening.record(manager, inserted.id, await this.opening.withDefaults(inserted.merchantId, { channel: 'agent' }), priced.prepared);
    const after = await manager.findOneByOrFail(CheckoutSessionEntity, { id: inserted.id });
    await recordCheckoutChange(manager, [checkoutWebhookEvent('checkout.created', after, null)], changeEntries(after, checkoutWebhookObject(inserted), checkoutWebhookObject(after)));
    return after;
  }
}
