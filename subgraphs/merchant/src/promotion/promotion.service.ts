// Promotions: create (idempotent; the unique index on the merchant and upper(code) decides
// between concurrent creates of one code), update (deactivate, end, limits), reads filtered by
// the caller, and the active ones for the internal pricing query.
import type { IdempotencyCodec, IdempotencyStore, Page, Principal } from '@handoff/shared';
import { merchantAudit, merchantUpdateAudit, plain } from '../audit-log/merchant-audit.js';
import { badUserInput, emptyPage, pageOf, requiredId, type PageArgs } from '@handoff/shared';
import { ulid } from 'ulid';
import type { DataSource, EntityManager } from 'typeorm';
import { mayReadPricingConfig } from '../checkout-pricing/pricing.access.js';
import type { OutboxNotifier } from '../events.js';
import { loadWritableMerchant } from '../merchant/merchant.access.js';
import type { MerchantService } from '../merchant/merchant.service.js';
import { OfferEntity } from '../offer/offer.entity.js';
import { PromotionEntity, promotionSnapshot } from './promotion.entity.js';
import { promotionCodeTaken, promotionNotFound } from './promotion.errors.js';
import {
  checkLimits,
  checkWindow,
  validateCreatePromotion,
  validateUpdatePromotion,
  type CreatePromotionSpec,
  type UpdatePromotionSpec,
} from './promotion.validation.js';

const promotionCodec: IdempotencyCodec<PromotionEntity> = {
  toStored: (p) => ({ id: p.id }),
  fromStored: (stored: { id: string }, manager) => manager.findOneByOrFail(PromotionEntity, { id: stored.id }),
};

const CODE_INDEX = 'promotions_merchant_code_key';

function isCodeConflict(err: unknown): boolean {
  const driver = (err as { driverError?: { code?: string; constraint?: string } })?.driverError;
  return driver?.code === '23505' && driver.constraint === CODE_INDEX;
}

export interface PromotionListArgs extends PageArgs {
  active?: boolean | null;
}

export class PromotionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyStore,
    private readonly merchants: MerchantService,
    private readonly outbox: OutboxNotifier,
  ) {}

  /** Admin, or the merchant itself (not while suspended). PROMOTION_CODE_TAKEN when the code is the merchant's already. */
  async create(principal: Principal, input: CreatePromotionSpec, idempotencyKey: string | undefined): Promise<PromotionEntity> {
    const promotion = await this.idempotency.run(
      { principal, key: idempotencyKey, operation: 'createPromotion', input },
      async (manager) => {
        const merchant = await loadWritableMerchant(manager, principal, input.merchantId, 'pessimistic_read');
        const draft = validateCreatePromotion(input, merchant.defaultCurrency);
        await this.checkOffers(manager, merchant.id, draft.offerIds);
        const now = new Date();
        const p = manager.create(PromotionEntity, {
          id: ulid(),
          merchantId: merchant.id,
          code: draft.code,
          automatic: draft.automatic,
          name: draft.name,
          percentOffBps: draft.percentOffBps,
          amountOffMinor: draft.amountOff?.amountMinor ?? null,
          currency: merchant.defaultCurrency,
          scope: draft.scope,
          offerIds: draft.offerIds,
          minSubtotalMinor: draft.minSubtotal?.amountMinor ?? null,
          startsAt: draft.startsAt,
          endsAt: draft.endsAt,
          usageLimit: draft.usageLimit,
          perCustomerLimit: draft.perCustomerLimit,
          stacking: draft.stacking,
          active: true,
          createdAt: now,
          updatedAt: now,
        });
        try {
          await manager.insert(PromotionEntity, p);
        } catch (err) {
          // A concurrent create of the same code committed first (or it existed): the index decides.
          if (isCodeConflict(err)) throw promotionCodeTaken(draft.code!);
          throw err;
        }
        await this.merchants.emitUpdated(manager, merchant, ['promotions'], { promotion: promotionSnapshot(p) }, [
          merchantAudit({ entityType: 'promotion', entityId: p.id, merchantId: p.merchantId, action: 'created', after: plain(promotionSnapshot(p)) }),
        ]);
        return p;
      },
      promotionCodec,
    );
    this.outbox.notify();
    await this.merchants.pricingConfigChanged(promotion.merchantId);
    return promotion;
  }

  /** Admin, or the merchant that owns it; NOT_FOUND for anyone else's. */
  async update(principal: Principal, id: string, input: UpdatePromotionSpec): Promise<PromotionEntity> {
    requiredId(id, 'id');
    const changes = validateUpdatePromotion(input);
    const updated = await this.dataSource.transaction(async (manager) => {
      const p = await manager.findOne(PromotionEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!p || (principal.kind === 'MERCHANT' && p.merchantId !== principal.merchantId)) throw promotionNotFound(id);
      const merchant = await loadWritableMerchant(manager, principal, p.merchantId, 'pessimistic_read');
      const changed = Object.keys(changes);
      if (changed.length === 0) return p;
      const before = plain(promotionSnapshot(p));
      if (changes.name !== undefined) p.name = changes.name;
      if (changes.active !== undefined) p.active = changes.active;
      if (changes.endsAt !== undefined) p.endsAt = changes.endsAt;
      if (changes.usageLimit !== undefined) p.usageLimit = changes.usageLimit;
      if (changes.perCustomerLimit !== undefined) p.perCustomerLimit = changes.perCustomerLimit;
      checkWindow(p.startsAt, p.endsAt);
      checkLimits(p.usageLimit, p.perCustomerLimit, changes.perCustomerLimit !== undefined ? 'input.perCustomerLimit' : 'input.usageLimit');
      p.updatedAt = new Date();
      await manager.save(PromotionEntity, p);
      const action = changes.active === false && before.active === true ? 'deactivated' : 'updated';
      const audit = merchantUpdateAudit({ entityType: 'promotion', entityId: p.id, merchantId: p.merchantId, action }, before, plain(promotionSnapshot(p)));
      await this.merchants.emitUpdated(manager, merchant, ['promotions'], { promotion: promotionSnapshot(p), promotionChanged: changed }, audit);
      return p;
    });
    this.outbox.notify();
    await this.merchants.pricingConfigChanged(updated.merchantId);
    return updated;
  }

  /** A merchant's promotions, paged by id; empty for anyone but an admin, a service or the merchant itself. */
  async list(principal: Principal, merchantId: string, args: PromotionListArgs): Promise<Page<PromotionEntity>> {
    if (!mayReadPricingConfig(principal, merchantId)) return emptyPage();
    const qb = this.dataSource.getRepository(PromotionEntity).createQueryBuilder('p').where('p.merchantId = :merchantId', { merchantId });
    if (args.active !== null && args.active !== undefined) qb.andWhere('p.active = :active', { active: args.active });
    return pageOf(qb, 'p', args);
  }

  /** Active promotions not ended at `now` (those not started yet included: the engine checks the window). */
  async findLive(merchantId: string, now: Date, manager: EntityManager = this.dataSource.manager): Promise<PromotionEntity[]> {
    return manager
      .getRepository(PromotionEntity)
      .createQueryBuilder('p')
      .where('p.merchantId = :merchantId AND p.active = true', { merchantId })
      .andWhere('(p.endsAt IS NULL OR p.endsAt > :now)', { now })
      .orderBy('p.id', 'ASC')
      .getMany();
  }

  /** Every offer named must be this merchant's. */
  private async checkOffers(manager: EntityManager, merchantId: string, offerIds: string[]): Promise<void> {
    if (offerIds.length === 0) return;
    const found = await manager
      .getRepository(OfferEntity)
      .createQueryBuilder('o')
      .select('o.id', 'id')
      .where('o.id = ANY(:ids) AND o.merchantId = :merchantId', { ids: offerIds, merchantId })
      .getRawMany<{ id: string }>();
    const known = new Set(found.map((r) => r.id));
    const missing = offerIds.findIndex((id) => !known.has(id));
    if (missing >= 0) throw badUserInput(`input.offerIds[${missing}]`, `offer ${offerIds[missing]} is not one of this merchant's offers.`);
  }
}
