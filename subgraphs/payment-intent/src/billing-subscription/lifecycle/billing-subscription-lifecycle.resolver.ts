// GraphQL adapter for the billing subscription lifecycle commands (issue 22; docs/recurring.md):
// thin over lifecycle/*.ts, which checks the caller (merchant: its own; admin: any) and the rules.
// Every command takes an idempotency key (argument, or the Idempotency-Key header a REST route
// passes on): a retry with the key answers the subscription without changing anything twice.
import { IdempotencyStore, idempotencyKeyOf, money, toMoneyType, type Principal, type SubgraphContext } from '@handoff/shared';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root, Subscription } from 'type-graphql';
import { BillingSubscriptionEntity } from '../billing-subscription.entity.js';
import { BillingInvoiceType, BillingSubscriptionType } from '../billing-subscription.type.js';
import { cancelBillingSubscription } from './cancel.js';
import { BillingInvoiceLineEntity } from './invoice-line.entity.js';
import { BillingInvoiceLineType, UpdateBillingSubscriptionInput } from './invoice-line.type.js';
import { pendingLines } from './invoice-lines.js';
import { pauseBillingSubscription, resumeBillingSubscription } from './pause.js';
import { checkItemUpdate, updateBillingSubscription } from './update.js';

const SCHEMA = 'payment';
const KEY_ARG = { nullable: true, description: 'Idempotency key (or the Idempotency-Key header): a retry with it changes nothing twice.' };

export function invoiceLineType(l: BillingInvoiceLineEntity): BillingInvoiceLineType {
  return Object.assign(new BillingInvoiceLineType(), {
    kind: l.kind, description: l.description, itemPosition: l.itemPosition, quantity: l.quantity,
    unitAmount: l.unitAmountMinor === null ? null : toMoneyType(money(l.unitAmountMinor, l.currency)),
    amount: toMoneyType(money(l.amountMinor, l.currency)), periodStart: l.periodStart, periodEnd: l.periodEnd, createdAt: l.createdAt,
  });
}

@Resolver(() => BillingSubscriptionType)
export class BillingSubscriptionLifecycleResolver {
  private readonly idempotency: IdempotencyStore;

  constructor(private readonly dataSource: DataSource) {
    this.idempotency = new IdempotencyStore(dataSource, SCHEMA);
  }

  /** Runs a command under the caller's idempotency key (its transaction); a replay answers the subscription as it is now. */
  private keyed(principal: Principal, key: string | undefined, operation: string, input: unknown, exec: (manager: EntityManager) => Promise<BillingSubscriptionEntity>): Promise<BillingSubscriptionEntity> {
    return this.idempotency.run({ principal, key, operation, input }, exec, {
      toStored: (s) => ({ id: s.id }),
      fromStored: (stored: { id: string }, manager) => manager.findOneByOrFail(BillingSubscriptionEntity, { id: stored.id }),
    });
  }

  @Mutation(() => BillingSubscriptionType, {
    description:
      'Cancels a billing subscription (a merchant: its own; an admin: any). atPeriodEnd true: sets cancelAtPeriodEnd, it renews no more and is canceled at the current period\'s end; false or absent: CANCELED now, its open invoices void. An already canceled one: SUBSCRIPTION_ALREADY_CANCELED.',
  })
  cancelBillingSubscription(
    @Arg('id', () => ID) id: string,
    @Arg('atPeriodEnd', () => Boolean, { nullable: true }) atPeriodEnd: boolean | null,
    @Arg('idempotencyKey', () => String, KEY_ARG) idempotencyKey: string | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<BillingSubscriptionEntity> {
    const end = atPeriodEnd === true;
    return this.keyed(ctx.principal, idempotencyKeyOf(ctx, idempotencyKey), 'cancelBillingSubscription', { id, atPeriodEnd: end }, (m) =>
      cancelBillingSubscription(this.dataSource, ctx.principal, id, end, m),
    );
  }

  @Mutation(() => BillingSubscriptionType, {
    description: 'Pauses an ACTIVE billing subscription: PAUSED, no renewal is charged until it resumes (a canceled one: SUBSCRIPTION_ALREADY_CANCELED; any other status: INVALID_STATE_TRANSITION).',
  })
  pauseBillingSubscription(
    @Arg('id', () => ID) id: string,
    @Arg('idempotencyKey', () => String, KEY_ARG) idempotencyKey: string | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<BillingSubscriptionEntity> {
    return this.keyed(ctx.principal, idempotencyKeyOf(ctx, idempotencyKey), 'pauseBillingSubscription', { id }, (m) => pauseBillingSubscription(this.dataSource, ctx.principal, id, m));
  }

  @Mutation(() => BillingSubscriptionType, {
    description:
      "Resumes a PAUSED billing subscription: ACTIVE; before the paid period's end the next renewal stays at that end, after it the cycle restarts at the resume and the next period is charged now (docs/recurring.md). Not paused: SUBSCRIPTION_NOT_PAUSED.",
  })
  resumeBillingSubscription(
    @Arg('id', () => ID) id: string,
    @Arg('idempotencyKey', () => String, KEY_ARG) idempotencyKey: string | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<BillingSubscriptionEntity> {
    return this.keyed(ctx.principal, idempotencyKeyOf(ctx, idempotencyKey), 'resumeBillingSubscription', { id }, (m) => resumeBillingSubscription(this.dataSource, ctx.principal, id, { within: m }));
  }

  @Mutation(() => BillingSubscriptionType, {
    description:
      "Changes one item's quantity and/or price now; the rest of the current paid period is prorated (credit for the old amount's unused time, charge for the new one's) as pending lines the next renewal invoice includes. Another currency: SUBSCRIPTION_CURRENCY_MISMATCH; a stale expectedVersion: VERSION_CONFLICT.",
  })
  updateBillingSubscription(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateBillingSubscriptionInput) input: UpdateBillingSubscriptionInput,
    @Arg('idempotencyKey', () => String, KEY_ARG) idempotencyKey: string | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<BillingSubscriptionEntity> {
    const update = { position: input.position ?? null, quantity: input.quantity ?? null, unitAmount: input.unitAmount ? { amountMinor: input.unitAmount.amountMinor, currency: input.unitAmount.currency } : null, expectedVersion: input.expectedVersion ?? null };
    checkItemUpdate(update);
    return this.keyed(ctx.principal, idempotencyKeyOf(ctx, idempotencyKey), 'updateBillingSubscription', { id, ...update }, (m) => updateBillingSubscription(this.dataSource, ctx.principal, id, update, { within: m }));
  }

  // Declared here so it composes; the gateway serves it (gateway/src/subscriptions/sources.ts
  // billingSubscriptionSource) from the `billing_subscription.*` pub/sub events, each resolved
  // as a billingSubscription(id) query for the subscriber. Nothing here ever runs.
  @Subscription(() => BillingSubscriptionType, {
    subscribe: () => {
      throw new Error('billingSubscriptionUpdated is served by the gateway.');
    },
    description:
      'Every change of the billing subscriptions the caller manages (a merchant: its own; an admin: all), one (id) or all: renewal paid, past due, unpaid, canceled, paused, resumed, item changes. ' +
      'Each event is the subscription as a query would return it at delivery; `status` is the status the event announced. Unknown or another merchant\'s id: BILLING_SUBSCRIPTION_NOT_FOUND.',
  })
  billingSubscriptionUpdated(@Arg('id', () => ID, { nullable: true }) _id: string | null): BillingSubscriptionEntity {
    throw new Error('billingSubscriptionUpdated is served by the gateway.');
  }

  @FieldResolver(() => [BillingInvoiceLineType], { description: 'Lines the next renewal invoice will include (proration of a price or quantity change, a carried credit), oldest first.' })
  async pendingInvoiceLines(@Root() s: BillingSubscriptionEntity): Promise<BillingInvoiceLineType[]> {
    return (await pendingLines(this.dataSource.manager, s.id)).map(invoiceLineType);
  }
}

@Resolver(() => BillingInvoiceType)
export class BillingInvoiceLinesResolver {
  constructor(private readonly dataSource: DataSource) {}

  @FieldResolver(() => [BillingInvoiceLineType], { description: 'What the invoice is made of: its items for the period, proration lines, a carried credit. Invoices made before lines existed have none.' })
  async lines(@Root() i: BillingInvoiceType & { id: string }): Promise<BillingInvoiceLineType[]> {
    const rows = await this.dataSource.manager.find(BillingInvoiceLineEntity, { where: { invoiceId: In([i.id]) }, order: { createdAt: 'ASC', amountMinor: 'ASC', id: 'ASC' } });
    return rows.map(invoiceLineType);
  }
}
