// The buyer's shipping choice as a checkout session stores it (jsonb), and the shipment plans.
// A leaf module: the entity and the services import it.

/** A shipping option of the merchant's (its id), or a pickup location (its id). */
export interface StoredShippingSelection {
  kind: 'SHIPPING' | 'PICKUP';
  id: string;
}

/** SPLIT: one shipment per fulfilment location (the default). SINGLE: everything in one shipment. */
export type ShipmentPlanKind = 'SPLIT' | 'SINGLE';
