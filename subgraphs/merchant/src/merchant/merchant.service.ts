// Merchants: create, update, and reads filtered by the caller (merchant.access.ts).
import type { IdempotencyCodec, IdempotencyStore, OutboxEvent, Page, Principal, ReadPurpose } from '@handoff/shared';
import { ulid } from 'ulid';
import type { DataSource, EntityManager } from 'typeorm';
import { emit, MerchantTopic, type OutboxNotifier } from '../events.js';
import { merchantAudit, merchantUpdateAudit } from '../audit-log/merchant-audit.js';
import { untrackedPricingConfigVersions, type PricingConfigVersions } from '../checkout-pricing/pricing-config-version.js';
import { alignById, emptyPage, pageOf, type PageArgs } from '@handoff/shared';
import { loadWritableMerchant, scopeMerchants } from './merchant.access.js';
import { merchantSnapshot, MerchantEntity, setCommissionTerms, setConversionFlow } from './merchant.entity.js';
import { MerchantStatus } from './merchant.enums.js';
import { onlyAdminChangesStatus } from './merchant.errors.js';
import {
  validateCreateMerchant,
  validateUpdateMerchant,
  type CreateMerchantSpec,
  type UpdateMerchantSpec,
} from './merchant.validation.js';

/** Replays of an idempotent create reload the merchant it made. */
const merchantCodec: IdempotencyCodec<MerchantEntity> = {
  toStored: (m) => ({ id: m.id }),
  fromStored: (stored: { id: string }, manager) => manager.findOneByOrFail(MerchantEntity, { id: stored.id }),
};

export class MerchantService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyStore,
    private readonly outbox: OutboxNotifier,
    private readonly pricingVersions: PricingConfigVersions = untrackedPricingConfigVersions,
  ) {}

  /** After a committed change to what checkoutPricingConfig answers, before answering it (pricing-config-version.ts). */
  pricingConfigChanged(merchantId: string): Promise<void> {
    return this.pricingVersions.changed(merchantId);
  }

  async findVisible(principal: Principal, id: string): Promise<MerchantEntity | null> {
    const qb = this.dataSource.getRepository(MerchantEntity).createQueryBuilder('m').where('m.id = :id', { id });
    return scopeMerchants(qb, 'm', principal, 'query') ? qb.getOne() : null;
  }

  async list(principal: Principal, args: PageArgs): Promise<Page<MerchantEntity>> {
    const qb = this.dataSource.getRepository(MerchantEntity).createQueryBuilder('m');
    return scopeMerchants(qb, 'm', principal, 'query') ? pageOf(qb, 'm', args) : emptyPage();
  }

  /** One query for a batch of ids (DataLoader); null where missing or not visible. */
  async findManyVisible(principal: Principal, ids: readonly string[], purpose: ReadPurpose): Promise<Array<MerchantEntity | null>> {
    const qb = this.dataSource
      .getRepository(MerchantEntity)
      .createQueryBuilder('m')
      .where('m.id = ANY(:ids)', { ids: [...ids] });
    if (!scopeMerchants(qb, 'm', principal, purpose)) return ids.map(() => null);
    return alignById(ids, await qb.getMany());
  }

  async create(principal: Principal, input: CreateMerchantSpec, idempotencyKey: string | undefined): Promise<MerchantEntity> {
    const draft = validateCreateMerchant(input);
    const merchant = await this.idempotency.run(
      { principal, key: idempotencyKey, operation: 'createMerchant', input },
      async (manager) => {
        const now = new Date();
        const m = manager.create(MerchantEntity, {
          id: ulid(),
          name: draft.name,
          country: draft.country,
          defaultCurrency: draft.defaultCurrency,
          status: MerchantStatus.ACTIVE,
          validationPeriodDays: draft.validationPeriodDays,
          createdAt: now,
          updatedAt: now,
        });
        setCommissionTerms(m, draft.commissionTerms);
        setConversionFlow(m, draft.conversionFlow);
        await manager.insert(MerchantEntity, m);
        await emit(manager, MerchantTopic.merchantCreated, m.id, merchantSnapshot(m), [
          merchantAudit({ entityType: 'merchant', entityId: m.id, merchantId: m.id, action: 'created', after: merchantSnapshot(m) }),
        ]);
        return m;
      },
      merchantCodec,
    );
    this.outbox.notify();
    return merchant;
  }

  /** Admin: any field; the merchant itself: all but status. */
  async update(principal: Principal, id: string, input: UpdateMerchantSpec): Promise<MerchantEntity> {
    if (principal.kind !== 'ADMIN' && input.status !== null && input.status !== undefined) throw onlyAdminChangesStatus();
    const updated = await this.dataSource.transaction(async (manager) => {
      const m = await loadWritableMerchant(manager, principal, id);
      const changes = validateUpdateMerchant(input, m.defaultCurrency);
      const changed = Object.keys(changes);
      if (changed.length === 0) return m;
      const before = merchantSnapshot(m);
      if (changes.name !== undefined) m.name = changes.name;
      if (changes.status !== undefined) m.status = changes.status;
      if (changes.validationPeriodDays !== undefined) m.validationPeriodDays = changes.validationPeriodDays;
      if (changes.commissionTerms) setCommissionTerms(m, changes.commissionTerms);
      if (changes.conversionFlow) setConversionFlow(m, changes.conversionFlow);
      m.updatedAt = new Date();
      await manager.save(MerchantEntity, m);
      const action = changes.status !== undefined && changes.status !== before.status ? `status_${String(changes.status).toLowerCase()}` : 'updated';
      await this.emitUpdated(manager, m, changed, {}, merchantUpdateAudit({ entityType: 'merchant', entityId: m.id, merchantId: m.id, action }, before, merchantSnapshot(m)));
      return m;
    });
    this.outbox.notify();
    return updated;
  }

  /** `merchant.updated` with the names of the changed fields and the merchant as it now is; `also` (the change's audit row) in its INSERT. */
  emitUpdated(manager: EntityManager, m: MerchantEntity, changed: string[], extra: Record<string, unknown> = {}, also: readonly OutboxEvent[] = []) {
    return emit(manager, MerchantTopic.merchantUpdated, m.id, { ...merchantSnapshot(m), changed, ...extra }, also);
  }
}
