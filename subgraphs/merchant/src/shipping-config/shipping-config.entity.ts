// A merchant's shipping configuration (merchant.shipping_configs): one document per merchant,
// replaced whole by setShippingConfig. The JSON is exactly the internal contract's shape
// (ShippingPricingConfig in shared/src/contracts/pricing-config.contract.ts), written only
// after shipping-config.validation.ts has checked every part of it.
import type { PickupLocationConfig, ShippingZoneConfig } from '@handoff/shared';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'shipping_configs' })
export class ShippingConfigEntity {
  @PrimaryColumn({ type: 'text', name: 'merchant_id' }) merchantId: string;
  @Column({ type: 'jsonb' }) zones: ShippingZoneConfig[];
  @Column({ type: 'jsonb', name: 'pickup_locations' }) pickupLocations: PickupLocationConfig[];
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt: Date;
}
