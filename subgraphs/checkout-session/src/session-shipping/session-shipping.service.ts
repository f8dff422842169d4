// Shipping on a checkout session (seed 003 §3 and §13): the merchant's options for the session's
// address and items (with estimated delivery dates in business days when asked), the pickup
// locations, the buyer's selection (refused unless offered for the address, nothing written then),
// and the shipment plan (SPLIT by fulfilment location, or SINGLE). A selection or a plan marks
// the calculation stale.
import { badUserInput, type Principal } from '@handoff/shared';
import type { Calculation } from '../calculation/index.js';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import type { SessionChanger } from '../session-change/session-change.js';
import type { SessionCalculationService } from '../session-calculation/session-calculation.service.js';
import type { ShipmentPlanKind, StoredShippingSelection } from './session-shipping.model.js';

export interface ShippingSelectionLike {
  shippingOptionId?: string | null;
  pickupLocationId?: string | null;
}

type Offer = Pick<Calculation, 'shippingOptions' | 'pickupOptions'>;

export class SessionShippingService {
  /** One pricing pass per session object and flag within a request (options and pickups read together). */
  private readonly memo = new WeakMap<CheckoutSessionEntity, Map<boolean, Promise<Offer>>>();

  constructor(
    private readonly changer: SessionChanger,
    private readonly pricing: SessionCalculationService,
  ) {}

  /** The options and pickup locations for the session as it is; writes nothing. No address: no options. */
  offer(cs: CheckoutSessionEntity, includeDeliveryDates: boolean): Promise<Offer> {
    let byFlag = this.memo.get(cs);
    if (!byFlag) this.memo.set(cs, (byFlag = new Map()));
    let found = byFlag.get(includeDeliveryDates);
    if (!found) {
      found = this.pricing.pricingInput(cs, { includeDeliveryDates }).then((input) => this.pricing.calculations.shippingOptions(input));
      byFlag.set(includeDeliveryDates, found);
    }
    return found;
  }

  select(principal: Principal, id: string, input: ShippingSelectionLike, expectedVersion?: number | null, key?: string): Promise<CheckoutSessionEntity> {
    const optionId = input?.shippingOptionId ?? null;
    const locationId = input?.pickupLocationId ?? null;
    if ((optionId === null) === (locationId === null)) throw badUserInput('selection', 'give exactly one of shippingOptionId and pickupLocationId.');
    return this.changer.change(principal, id, expectedVersion, async (cs) => {
      let selection: StoredShippingSelection;
      if (optionId !== null) {
        if (!cs.shippingAddress) throw badUserInput('selection.shippingOptionId', 'set a shipping address first: options depend on it.');
        const { shippingOptions } = await this.pricing.calculations.shippingOptions(await this.pricing.pricingInput(cs, { includeDeliveryDates: false }));
        if (!shippingOptions.some((o) => o.id === optionId)) {
          throw notOffered('selection.shippingOptionId', `the shipping option "${optionId.slice(0, 100)}" is not offered for this address and these items.`);
        }
        selection = { kind: 'SHIPPING', id: optionId };
      } else {
        const { pickupOptions } = await this.pricing.calculations.shippingOptions(await this.pricing.pricingInput(cs, { includeDeliveryDates: false }));
        if (!pickupOptions.some((p) => p.id === locationId)) throw notOffered('selection.pickupLocationId', `"${locationId!.slice(0, 100)}" is not one of the merchant's pickup locations.`);
        selection = { kind: 'PICKUP', id: locationId! };
      }
      return { changes: { selectedShipping: selection, calculationStale: true } };
    }, { key, operation: 'selectCheckoutShipping', input: { shippingOptionId: optionId, pickupLocationId: locationId } });
  }

  selectPlan(principal: Principal, id: string, plan: ShipmentPlanKind, expectedVersion?: number | null, key?: string): Promise<CheckoutSessionEntity> {
    if (plan !== 'SPLIT' && plan !== 'SINGLE') throw badUserInput('plan', 'must be SPLIT or SINGLE.');
    return this.changer.change(principal, id, expectedVersion, (cs) => ({
      changes: { shipmentPlan: plan, ...((cs.shipmentPlan ?? 'SPLIT') !== plan ? { calculationStale: true } : {}) },
    }), { key, operation: 'selectCheckoutShipmentPlan', input: { plan } });
  }

  /** The plan's shipments: from the current calculation when it is not stale, else a fresh pass (nothing written). */
  async plan(cs: CheckoutSessionEntity): Promise<{ kind: ShipmentPlanKind; calculated: boolean; calculation: Pick<Calculation, 'shipments' | 'currency'> }> {
    const kind = cs.shipmentPlan ?? 'SPLIT';
    const stored = cs.calculationStale ? null : await this.pricing.current(cs);
    if (stored) return { kind, calculated: true, calculation: stored.calculation };
    return { kind, calculated: false, calculation: await this.pricing.calculations.preview(await this.pricing.pricingInput(cs)) };
  }
}

const notOffered = (field: string, message: string) => {
  const err = badUserInput(field, message);
  err.extensions.reason = 'shipping:not_offered';
  return err;
};
