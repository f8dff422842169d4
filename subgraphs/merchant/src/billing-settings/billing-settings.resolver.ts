// billingSettings / setDunningSettings (issue 22 item 4). A merchant key reads and sets its own; an
// admin names the merchant; a service (payment-intent's renewals) reads any. Check the principal,
// call the service.
import { requireKind } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { MerchantContext } from '../context.js';
import { settingsMerchantOf } from '../checkout-settings/checkout-settings.service.js';
import type { BillingSettingsService } from './billing-settings.service.js';
import { BillingSettingsType, DunningSettingsInput } from './billing-settings.type.js';

@Resolver()
export class BillingSettingsResolver {
  constructor(
    private readonly service: BillingSettingsService,
    private readonly dataSource: DataSource,
  ) {}

  @Query(() => BillingSettingsType, {
    description: "The merchant's billing settings for subscriptions (the dunning schedule; defaults until set). A merchant key reads its own (merchantId optional); an admin names the merchant.",
  })
  async billingSettings(@Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null, @Ctx() ctx: MerchantContext): Promise<BillingSettingsType> {
    const principal = requireKind(ctx.principal, 'ADMIN', 'MERCHANT', 'SERVICE');
    const { dunning, updatedAt } = await this.service.get(await settingsMerchantOf(this.dataSource, principal, merchantId));
    return BillingSettingsType.from(dunning, updatedAt);
  }

  @Mutation(() => BillingSettingsType, {
    description: 'Admin, or the merchant itself: replaces the dunning schedule failed renewals follow (INVALID_DUNNING_SCHEDULE when it cannot be; nothing written).',
  })
  async setDunningSettings(
    @Arg('input', () => DunningSettingsInput) input: DunningSettingsInput,
    @Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<BillingSettingsType> {
    const principal = requireKind(ctx.principal, 'ADMIN', 'MERCHANT');
    const id = await settingsMerchantOf(this.dataSource, principal, merchantId);
    const { dunning, updatedAt } = await this.service.setDunning(principal, id, input);
    return BillingSettingsType.from(dunning, updatedAt);
  }
}
