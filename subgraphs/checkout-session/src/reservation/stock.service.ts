// The built-in inventory provider's stock, as merchants set and read it: setStock (on hand per
// offer and fulfilment location: the merchant's pickup locations, or `default`) and the levels
// of an offer. What is held stays held when on hand changes; available = on hand − held, at least 0.
import { badUserInput, ErrorCode, notFound, type Principal } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { table } from '../events.js';
import { requiredId } from '../input.js';
import type { MerchantDirectory } from '../ports/merchant.port.js';
import type { MerchantPricingPort } from '../ports/merchant-pricing.port.js';
import { DEFAULT_STOCK_LOCATION } from './reservation.model.js';

export const MAX_STOCK_QUANTITY = 1_000_000_000;

export interface StockLevelRecord {
  offerId: string;
  locationId: string;
  onHand: number;
  reserved: number;
  updatedAt: Date;
}

const offerNotFound = (id: string) => notFound(ErrorCode.OFFER_NOT_FOUND, `Offer not found: ${id}.`);

export class StockService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly merchants: MerchantDirectory,
    private readonly pricing: MerchantPricingPort,
  ) {}

  /** The offer's merchant when `principal` may manage its stock (its merchant, an admin); else OFFER_NOT_FOUND. */
  private async ownedOffer(principal: Principal, offerId: string): Promise<{ offerId: string; merchantId: string }> {
    const id = requiredId(offerId, 'offerId');
    if (id.length > 100) throw badUserInput('offerId', 'is not a valid id.');
    const offer = await this.merchants.offer(id);
    if (!offer || (principal.kind === 'MERCHANT' && offer.merchant.id !== principal.merchantId)) throw offerNotFound(id);
    return { offerId: offer.id, merchantId: offer.merchant.id };
  }

  async setStock(principal: Principal, offerId: string, quantity: number, locationId: string | null | undefined): Promise<StockLevelRecord> {
    if (!Number.isInteger(quantity) || quantity < 0 || quantity > MAX_STOCK_QUANTITY) throw badUserInput('quantity', `must be a whole number from 0 to ${MAX_STOCK_QUANTITY}.`);
    const location = locationId === null || locationId === undefined ? DEFAULT_STOCK_LOCATION : requiredId(locationId, 'locationId');
    if (location.length > 100) throw badUserInput('locationId', 'is not a valid id.');
    const offer = await this.ownedOffer(principal, offerId);
    if (location !== DEFAULT_STOCK_LOCATION) {
      const config = await this.pricing.pricingConfig(offer.merchantId);
      if (!config.shipping.pickupLocations.some((p) => p.id === location)) {
        throw badUserInput('locationId', `is not one of the merchant's fulfilment locations (its pickup locations, or none for ${DEFAULT_STOCK_LOCATION}).`);
      }
    }
    const rows: Array<{ offer_id: string; location_id: string; on_hand: number; reserved: number; updated_at: Date }> = await this.dataSource.query(
      `INSERT INTO ${table('stock_levels')} (merchant_id, offer_id, location_id, on_hand) VALUES ($1, $2, $3, $4)
       ON CONFLICT (merchant_id, offer_id, location_id) DO UPDATE SET on_hand = EXCLUDED.on_hand, updated_at = now()
       RETURNING offer_id, location_id, on_hand, reserved, updated_at`,
      [offer.merchantId, offer.offerId, location, quantity],
    );
    const r = rows[0]!;
    return { offerId: r.offer_id, locationId: r.location_id, onHand: r.on_hand, reserved: r.reserved, updatedAt: r.updated_at };
  }

  /** The offer's stock per location (none: the offer's stock is not tracked). */
  async levels(principal: Principal, offerId: string): Promise<StockLevelRecord[]> {
    const offer = await this.ownedOffer(principal, offerId);
    const rows: Array<{ offer_id: string; location_id: string; on_hand: number; reserved: number; updated_at: Date }> = await this.dataSource.query(
      `SELECT offer_id, location_id, on_hand, reserved, updated_at FROM ${table('stock_levels')} WHERE merchant_id = $1 AND offer_id = $2 ORDER BY location_id`,
      [offer.merchantId, offer.offerId],
    );
    return rows.map((r) => ({ offerId: r.offer_id, locationId: r.location_id, onHand: r.on_hand, reserved: r.reserved, updatedAt: r.updated_at }));
  }
}
