// Offers: create, update, and reads filtered by the caller (offer.access.ts).
import type { IdempotencyCodec, IdempotencyStore, MoneyInput, Page, Principal, ReadPurpose, RecurringPriceInput } from '@handoff/shared';
import { ulid } from 'ulid';
import type { DataSource } from 'typeorm';
import { emit, MerchantTopic, type OutboxNotifier } from '../events.js';
import { merchantAudit, merchantUpdateAudit } from '../audit-log/merchant-audit.js';
import { loadWritableMerchant, merchantScope, type ScopeCondition } from '../merchant/merchant.access.js';
import { MerchantEntity } from '../merchant/merchant.entity.js';
import { connectorScope } from '../payment-connector/payment-connector.access.js';
import { PaymentConnectorEntity } from '../payment-connector/payment-connector.entity.js';
import { alignById, emptyPage, optionalId, pageOf, type PageArgs } from '@handoff/shared';
import { scopeOffers } from './offer.access.js';
import { searchOffers, type OfferSearchArgs } from './offer.search.js';
import { offerSnapshot, OfferEntity } from './offer.entity.js';
import { offerNotFound, priceCurrencyMismatch } from './offer.errors.js';
import { validateCreateOffer, validateUpdateOffer } from './offer.validation.js';

export interface CreateOfferSpec {
  merchantId: string;
  name: string;
  provider?: string | null;
  description?: string | null;
  price: MoneyInput;
  active?: boolean | null;
  taxCategory?: string | null;
  recurring?: RecurringPriceInput | null;
}

export interface UpdateOfferSpec {
  name?: string | null;
  provider?: string | null;
  description?: string | null;
  price?: MoneyInput | null;
  active?: boolean | null;
  taxCategory?: string | null;
  recurring?: RecurringPriceInput | null;
  removeRecurring?: boolean | null;
}

export interface OfferListArgs extends PageArgs {
  merchantId?: string | null;
}

export interface OfferWithMerchant {
  offer: OfferEntity;
  /** Null: missing or not the caller's to see; undefined: not read (the caller sees no merchant). */
  merchant: MerchantEntity | null | undefined;
  /** Null: none, or not the caller's to see; undefined: not read (the caller sees no connector). */
  connector: PaymentConnectorEntity | null | undefined;
}

interface Joined {
  joinedMerchant?: MerchantEntity | null;
  joinedConnector?: PaymentConnectorEntity | null;
}

const joinOn = (on: string, scope: ScopeCondition) => (scope.condition ? `${on} AND ${scope.condition}` : on);

const offerCodec: IdempotencyCodec<OfferEntity> = {
  toStored: (o) => ({ id: o.id }),
  fromStored: (stored: { id: string }, manager) => manager.findOneByOrFail(OfferEntity, { id: stored.id }),
};

export class OfferService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyStore,
    private readonly outbox: OutboxNotifier,
  ) {}

  async findVisible(principal: Principal, id: string): Promise<OfferEntity | null> {
    const qb = this.dataSource.getRepository(OfferEntity).createQueryBuilder('o').where('o.id = :id', { id });
    return scopeOffers(qb, 'o', principal, 'query') ? qb.getOne() : null;
  }

  /**
   * findVisible plus, in the same statement, the offer's merchant and payment connector as the
   * `merchantRefs` and `connectors` loaders would read them for `principal` (same scopes), so
   * `offer { merchant { paymentConnector } }` costs one query. `merchant`/`connector` are
   * undefined when the caller may see none (the loaders answer null then without a query).
   */
  async findVisibleWithMerchant(principal: Principal, id: string): Promise<OfferWithMerchant | null> {
    const qb = this.dataSource.getRepository(OfferEntity).createQueryBuilder('o').where('o.id = :id', { id });
    if (!scopeOffers(qb, 'o', principal, 'query')) return null;
    const merchants = merchantScope('om', principal, 'reference');
    if (merchants) qb.leftJoinAndMapOne('o.joinedMerchant', MerchantEntity, 'om', joinOn('om.id = o.merchantId', merchants), merchants.parameters);
    const connectors = connectorScope('oc', principal);
    if (connectors) {
      qb.leftJoinAndMapOne('o.joinedConnector', PaymentConnectorEntity, 'oc', joinOn('oc.merchantId = o.merchantId', connectors), connectors.parameters);
    }
    const row = (await qb.getOne()) as (OfferEntity & Joined) | null;
    if (!row) return null;
    const { joinedMerchant, joinedConnector, ...columns } = row;
    const offer = Object.assign(new OfferEntity(), columns);
    return {
      offer,
      merchant: merchants ? (joinedMerchant ?? null) : undefined,
      connector: connectors ? (joinedConnector ?? null) : undefined,
    };
  }

  async list(principal: Principal, args: OfferListArgs): Promise<Page<OfferEntity>> {
    optionalId(args.merchantId, 'merchantId');
    const qb = this.dataSource.getRepository(OfferEntity).createQueryBuilder('o');
    if (args.merchantId !== null && args.merchantId !== undefined) {
      qb.andWhere('o.merchantId = :merchantId', { merchantId: args.merchantId });
    }
    return scopeOffers(qb, 'o', principal, 'query') ? pageOf(qb, 'o', args) : emptyPage();
  }

  /** Full-text search (offer.search.ts), ranked; the same scope as list. */
  search(principal: Principal, args: OfferSearchArgs): Promise<Page<OfferEntity>> {
    optionalId(args.merchantId, 'merchantId');
    return searchOffers(this.dataSource, principal, args);
  }

  async findManyVisible(principal: Principal, ids: readonly string[], purpose: ReadPurpose): Promise<Array<OfferEntity | null>> {
    const qb = this.dataSource
      .getRepository(OfferEntity)
      .createQueryBuilder('o')
      .where('o.id = ANY(:ids)', { ids: [...ids] });
    if (!scopeOffers(qb, 'o', principal, purpose)) return ids.map(() => null);
    return alignById(ids, await qb.getMany());
  }

  /** Admin, or the merchant itself (not while suspended). */
  async create(principal: Principal, input: CreateOfferSpec, idempotencyKey: string | undefined): Promise<OfferEntity> {
    const draft = validateCreateOffer(input);
    const offer = await this.idempotency.run(
      { principal, key: idempotencyKey, operation: 'createOffer', input },
      async (manager) => {
        // A share lock: the merchant cannot be suspended half-way through.
        const merchant = await loadWritableMerchant(manager, principal, input.merchantId, 'pessimistic_read');
        if (draft.price.currency !== merchant.defaultCurrency) throw priceCurrencyMismatch(merchant.defaultCurrency);
        const now = new Date();
        const o = manager.create(OfferEntity, {
          id: ulid(),
          merchantId: merchant.id,
          name: draft.name,
          provider: draft.provider ?? merchant.name,
          description: draft.description,
          priceMinor: draft.price.amountMinor,
          priceCurrency: draft.price.currency,
          active: draft.active,
          taxCategory: draft.taxCategory,
          recurring: draft.recurring,
          createdAt: now,
          updatedAt: now,
        });
        await manager.insert(OfferEntity, o);
        await emit(manager, MerchantTopic.offerCreated, o.id, offerSnapshot(o), [
          merchantAudit({ entityType: 'offer', entityId: o.id, merchantId: o.merchantId, action: 'created', after: offerSnapshot(o) }),
        ]);
        return o;
      },
      offerCodec,
    );
    this.outbox.notify();
    return offer;
  }

  /** Admin, or the merchant that owns the offer; OFFER_NOT_FOUND for anyone else's. */
  async update(principal: Principal, id: string, input: UpdateOfferSpec): Promise<OfferEntity> {
    const changes = validateUpdateOffer(input);
    const updated = await this.dataSource.transaction(async (manager) => {
      const o = await manager.findOne(OfferEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!o || (principal.kind === 'MERCHANT' && o.merchantId !== principal.merchantId)) throw offerNotFound(id);
      const merchant = await loadWritableMerchant(manager, principal, o.merchantId, 'pessimistic_read');
      if (changes.price && changes.price.currency !== merchant.defaultCurrency) {
        throw priceCurrencyMismatch(merchant.defaultCurrency);
      }
      const changed = Object.keys(changes);
      if (changed.length === 0) return o;
      const before = offerSnapshot(o);
      if (changes.name !== undefined) o.name = changes.name;
      if (changes.provider !== undefined) o.provider = changes.provider;
      if (changes.description !== undefined) o.description = changes.description;
      if (changes.active !== undefined) o.active = changes.active;
      if (changes.taxCategory !== undefined) o.taxCategory = changes.taxCategory;
      if (changes.recurring !== undefined) o.recurring = changes.recurring;
      if (changes.price) {
        o.priceMinor = changes.price.amountMinor;
        o.priceCurrency = changes.price.currency;
      }
      o.updatedAt = new Date();
      await manager.save(OfferEntity, o);
      await emit(manager, MerchantTopic.offerUpdated, o.id, { ...offerSnapshot(o), changed }, merchantUpdateAudit({ entityType: 'offer', entityId: o.id, merchantId: o.merchantId }, before, offerSnapshot(o)));
      return o;
    });
    this.outbox.notify();
    return updated;
  }
}
