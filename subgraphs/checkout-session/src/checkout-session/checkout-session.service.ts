// Checkout sessions: the merchant flow's create (validate → session + lines in one transaction →
// payment intent after commit), and reads through the caller's scope.
import {
  badUserInput,
  clientSecretFor,
  type IdempotencyCodec,
  type IdempotencyStore,
  type Page,
  type Principal,
  alignById,
  pageOf,
  type PageArgs,
} from '@handoff/shared';
import type { DataSource, EntityManager } from 'typeorm';
import type { MerchantDirectory, MerchantView } from '../ports/merchant.port.js';
import { changeAndEmit, table, type OutboxNotifier } from '../events.js';
import { IdPrefix, newId } from '../ids.js';
import { merchantInactive, merchantNotFound } from '../recommendation/recommendation.service.js';
import { scopeCheckoutSessions } from './checkout-session.access.js';
import { CheckoutSessionEntity } from './checkout-session.entity.js';
import { CheckoutMode, CheckoutSessionStatus } from './checkout-session.enums.js';
import { assertSubscriptionLines } from '../subscription-lines/subscription-lines.js';
import { noPaymentConnector } from './checkout-session.errors.js';
import type { CheckoutPayments } from './checkout-payment.js';
import { checkoutSessionSnapshot, NO_BUYER_DETAILS, type BuyerDetailField } from './checkout-session.transition.js';
import { checkoutWebhookEvent, checkoutWebhookObject } from './checkout.webhook-event.js';
import { checkoutAudit } from './checkout.audit.js';
import { createdEntry } from '../timeline/timeline.entries.js';
import { timelineInsertSql, timelineRows } from '../timeline/timeline.record.js';
import { validateCreateCheckoutSession, type CheckoutSessionDraft, type CreateCheckoutSessionSpec, type LineItemDraft } from './checkout-session.validation.js';
import type { LineCatalog } from './line-catalog.js';
import { LineItemEntity } from './line-item.entity.js';
import type { OpeningSpec, SessionOpening } from '../checkout-lifecycle/session-opening.js';

export interface CheckoutSessionListArgs extends PageArgs {
  status?: CheckoutSessionStatus | null;
}

export const checkoutSessionCodec: IdempotencyCodec<CheckoutSessionEntity> = {
  toStored: (cs) => ({ id: cs.id }),
  fromStored: (stored: { id: string }, manager) => manager.findOneByOrFail(CheckoutSessionEntity, { id: stored.id }),
};

/** The merchant exists, is active and has a connected PSP. */
export function assertMerchantCanSell(merchant: MerchantView | null, merchantId: string): MerchantView {
  if (!merchant) throw merchantNotFound(merchantId);
  if (merchant.status !== 'ACTIVE') throw merchantInactive(merchantId);
  if (!merchant.paymentConnector || merchant.paymentConnector.status !== 'connected') throw noPaymentConnector(merchantId);
  return merchant;
}

export const newCheckoutSessionId = (): string => newId(IdPrefix.checkoutSession);

/** A session's lines as the JSON rows insertLineRows reads, positions from 0. */
export const lineRowsOf = (lines: readonly LineItemDraft[]) =>
  JSON.stringify(
    lines.map((l, position) => ({
      position, name: l.name, unit: l.unitAmountMinor, quantity: l.quantity, total: l.totalMinor,
      offer: l.offerId ?? null, tax_category: l.taxCategory ?? null, sku: l.sku ?? null,
      interval: l.recurring?.interval ?? null, interval_count: l.recurring?.intervalCount ?? null, trial_days: l.recurring?.trialDays ?? null,
    })),
  );

/** INSERT of the lines of session `sessionParam` from the JSON rows of lineRowsOf in `rowsParam`. */
export const insertLineRows = (sessionParam: string, rowsParam: string) =>
  `INSERT INTO ${table('checkout_line_items')} (checkout_session_id, position, name, unit_amount_minor, quantity, total_minor, offer_id, tax_category, sku,
      recurring_interval, recurring_interval_count, recurring_trial_days)
   SELECT ${sessionParam}, l.position, l.name, l.unit, l.quantity, l.total, l.offer, l.tax_category, l.sku, l.interval, l.interval_count, l.trial_days
     FROM jsonb_to_recordset(${rowsParam}::jsonb) AS l(position integer, name text, unit bigint, quantity integer, total bigint, offer text, tax_category text, sku text,
       interval text, interval_count integer, trial_days integer)`;

/**
 * Inserts a new OPEN session and its lines, its `checkout_session.open` event and the merchant's
 * `checkout.created`, in one statement. `announceCreated: false` leaves checkout.created to a
 * caller that changes the session further in its transaction (announceCheckoutChange after).
 */
export async function insertCheckoutSession(
  manager: EntityManager,
  fields: Omit<
    CheckoutSessionEntity,
    'id' | 'status' | 'version' | 'createdAt' | 'updatedAt' | 'paymentIntentId' | 'paymentIntentsCanceledAt' | 'paymentMismatch' | 'reservationId' | 'reservationHeldUntil' | 'origin' | BuyerDetailField
  > & {
    /** Chosen by the caller when something signed before the insert names it (the AAP code). */ id?: string;
    /** 'acp' for createAgentCheckoutSession's sessions (the ACP routes); null by default. */ origin?: 'acp' | null;
  },
  lines: LineItemDraft[],
  opts: { announceCreated?: boolean } = {},
): Promise<CheckoutSessionEntity> {
  const now = new Date();
  const cs = manager.create(CheckoutSessionEntity, {
    ...fields,
    id: fields.id ?? newCheckoutSessionId(),
    origin: fields.origin ?? null,
    status: CheckoutSessionStatus.OPEN,
    version: 1,
    paymentIntentId: null,
    paymentIntentsCanceledAt: null,
    paymentMismatch: null,
    ...NO_BUYER_DETAILS,
    createdAt: now,
    updatedAt: now,
  });
  // The session, its lines, its events, its audit row and its timeline entry in one statement.
  const lineRows = lineRowsOf(lines);
  const object = checkoutWebhookObject(cs);
  await changeAndEmit(
    manager,
    {
      sql: `INSERT INTO ${table('checkout_sessions')} (id, merchant_id, agent_id, status, mode, currency, subtotal_minor, discount_minor, tax_minor,
              shipping_minor, total_minor, success_url, cancel_url, expires_at, version, customer_email, metadata, agent_session_id,
              recommendation_id, offer_id, aap_code, created_at, updated_at, origin)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17::jsonb, $18, $19, $20, $21, $22, $22, $25)`,
      params: [
        cs.id, cs.merchantId, cs.agentId, cs.status, cs.mode, cs.currency, cs.subtotalMinor, cs.discountMinor, cs.taxMinor,
        cs.shippingMinor, cs.totalMinor, cs.successUrl, cs.cancelUrl, cs.expiresAt, cs.version, cs.customerEmail, JSON.stringify(cs.metadata ?? {}),
        cs.agentSessionId, cs.recommendationId, cs.offerId, cs.aapCode, now, lineRows, timelineRows([createdEntry(cs, lines.length)]), cs.origin,
      ],
      also: [
        insertLineRows('$1', '$23'),
        timelineInsertSql('$24'),
      ],
    },
    'checkout_session',
    cs.status,
    cs.id,
    checkoutSessionSnapshot(cs),
    [...(opts.announceCreated === false ? [] : [checkoutWebhookEvent('checkout.created', cs, null)]), ...checkoutAudit('created', cs, null, object)],
  );
  return cs;
}

export class CheckoutSessionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyStore,
    private readonly merchants: MerchantDirectory,
    /** Checks the lines' offers and resolves their tax categories. */
    private readonly catalog: LineCatalog,
    private readonly payments: CheckoutPayments,
    private readonly outbox: OutboxNotifier,
    private readonly publicBaseUrl: string,
    private readonly internalSecret: string,
    /** Seed 003's terms of a new session: owner, channel, cart, capture mode, billing address (checkout-lifecycle/). */
    private readonly opening?: SessionOpening,
  ) {}

  /** A merchant (or an admin naming one) opens a session; its payment intent follows at once. */
  async create(
    principal: Principal & { kind: 'MERCHANT' | 'ADMIN' },
    input: CreateCheckoutSessionSpec & OpeningSpec & { merchantId?: string | null },
    key: string | undefined,
  ): Promise<CheckoutSessionEntity> {
    const merchantId = principal.kind === 'MERCHANT' ? principal.merchantId : input.merchantId;
    if (!merchantId) throw badUserInput('merchantId', 'is required for an admin.');
    if (principal.kind === 'MERCHANT' && input.merchantId && input.merchantId !== merchantId) throw merchantNotFound(input.merchantId);
    const draft = validateCreateCheckoutSession(input);
    const terms = this.opening ? await this.opening.withDefaults(merchantId, this.opening.check(input, draft.currency)) : {};
    const cs = await this.idempotency.run(
      { principal, key, operation: 'createCheckoutSession', input: { ...input, merchantId } },
      async (manager) => {
        const inserted = await this.insertForMerchant(manager, merchantId, draft);
        await this.opening?.record(manager, inserted.id, terms, null);
        return inserted;
      },
      checkoutSessionCodec,
    );
    this.outbox.notify();
    return this.payments.ensureIntent(cs);
  }

  private async insertForMerchant(manager: EntityManager, merchantId: string, draft: CheckoutSessionDraft): Promise<CheckoutSessionEntity> {
    assertMerchantCanSell(await this.merchants.merchant(merchantId), merchantId);
    const lines = await this.catalog.resolve(merchantId, draft.lineItems, [], { recurringFromOffers: draft.mode === CheckoutMode.SUBSCRIPTION });
    assertSubscriptionLines(draft.mode, lines);
    return insertCheckoutSession(
      manager,
      {
        merchantId,
        agentId: null,
        mode: draft.mode,
        currency: draft.currency,
        subtotalMinor: draft.subtotal.amountMinor,
        discountMinor: 0,
        taxMinor: 0,
        shippingMinor: 0,
        totalMinor: draft.total.amountMinor,
        successUrl: draft.successUrl,
        cancelUrl: draft.cancelUrl,
        expiresAt: new Date(Date.now() + draft.expiresInSeconds * 1000),
        customerEmail: draft.customerEmail,
        metadata: draft.metadata,
        agentSessionId: null,
        recommendationId: null,
        offerId: null,
        aapCode: null,
      },
      lines,
    );
  }

  /** The session, or null when it does not exist or the principal may not see it. */
  async findVisible(principal: Principal, id: string): Promise<CheckoutSessionEntity | null> {
    const qb = this.dataSource.getRepository(CheckoutSessionEntity).createQueryBuilder('cs').where('cs.id = :id', { id });
    scopeCheckoutSessions(qb, 'cs', principal);
    return qb.getOne();
  }

  async findManyVisible(principal: Principal, ids: readonly string[]): Promise<Array<CheckoutSessionEntity | null>> {
    const qb = this.dataSource
      .getRepository(CheckoutSessionEntity)
      .createQueryBuilder('cs')
      .where('cs.id = ANY(:ids)', { ids: [...ids] });
    scopeCheckoutSessions(qb, 'cs', principal);
    return alignById(ids, await qb.getMany());
  }

  /** The caller's sessions, oldest first; `status` filters by the status as it reads (an open session past expiry is EXPIRED). */
  list(principal: Principal, args: CheckoutSessionListArgs): Promise<Page<CheckoutSessionEntity>> {
    const qb = this.dataSource.getRepository(CheckoutSessionEntity).createQueryBuilder('cs');
    scopeCheckoutSessions(qb, 'cs', principal);
    if (args.status === CheckoutSessionStatus.OPEN) {
      qb.andWhere(`cs.status = 'OPEN' AND cs.expiresAt > now()`);
    } else if (args.status === CheckoutSessionStatus.EXPIRED) {
      qb.andWhere(`(cs.status = 'EXPIRED' OR (cs.status = 'OPEN' AND cs.expiresAt <= now()))`);
    } else if (args.status) {
      qb.andWhere('cs.status = :status', { status: args.status });
    }
    return pageOf(qb, 'cs', args);
  }

  /** The lines of each session, in order (a DataLoader batch; the parent is already authorized). */
  async lineItemsOf(sessionIds: readonly string[]): Promise<LineItemEntity[][]> {
    const rows = await this.dataSource
      .getRepository(LineItemEntity)
      .createQueryBuilder('li')
      .where('li.checkoutSessionId = ANY(:ids)', { ids: [...sessionIds] })
      .orderBy('li.position', 'ASC')
      .getMany();
    return sessionIds.map((id) => rows.filter((r) => r.checkoutSessionId === id));
  }

  /** The hosted page's client secret of a session (seed 003's client_token). */
  clientToken(sessionId: string): string {
    return clientSecretFor(sessionId, this.internalSecret);
  }

  /** The hosted checkout page of a session, on the gateway's public URL, with its client secret. */
  hostedPageUrl(sessionId: string): string {
    const cs = encodeURIComponent(this.clientToken(sessionId));
    return `${this.publicBaseUrl}/checkout/${encodeURIComponent(sessionId)}?cs=${cs}`;
  }
}
