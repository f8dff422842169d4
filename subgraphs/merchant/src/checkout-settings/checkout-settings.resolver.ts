// Seed 003 §17's tenant configuration in GraphQL: checkoutSettings / setCheckoutSettings,
// checkoutCapabilities / setMerchantCapabilities (set: admin only), transactionLimits /
// setTransactionLimits, and Merchant.checkoutBranding (public: what the hosted page shows).
// Check the principal, map arguments, call the service.
import { requireKind } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { MerchantContext } from '../context.js';
import { MerchantType } from '../merchant/merchant.type.js';
import { settingsMerchantOf, type CheckoutSettingsService } from './checkout-settings.service.js';
import {
  CheckoutBrandingType,
  CheckoutCapabilitiesType,
  CheckoutSettingsInput,
  CheckoutSettingsType,
  MerchantCapabilitiesInput,
  TransactionLimitsInput,
  TransactionLimitsType,
} from './checkout-settings.type.js';

@Resolver(() => MerchantType)
export class CheckoutSettingsResolver {
  constructor(
    private readonly service: CheckoutSettingsService,
    private readonly dataSource: DataSource,
  ) {}

  private merchantOf(ctx: MerchantContext, merchantId: string | null | undefined): Promise<string> {
    return settingsMerchantOf(this.dataSource, requireKind(ctx.principal, 'ADMIN', 'MERCHANT'), merchantId);
  }

  @Query(() => CheckoutSettingsType, {
    description: "The merchant's checkout settings (defaults until set). A merchant key reads its own (merchantId optional); an admin names the merchant.",
  })
  async checkoutSettings(@Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null, @Ctx() ctx: MerchantContext): Promise<CheckoutSettingsType> {
    const { value, updatedAt } = await this.service.settings(await this.merchantOf(ctx, merchantId));
    return CheckoutSettingsType.from(value, updatedAt);
  }

  @Mutation(() => CheckoutSettingsType, { description: 'Admin, or the merchant itself: changes the settings given (null: back to the default).' })
  async setCheckoutSettings(
    @Arg('merchantId', () => ID) merchantId: string,
    @Arg('input', () => CheckoutSettingsInput) input: CheckoutSettingsInput,
    @Ctx() ctx: MerchantContext,
  ): Promise<CheckoutSettingsType> {
    const id = await this.merchantOf(ctx, merchantId);
    const { value, updatedAt } = await this.service.setSettings(ctx.principal, id, input);
    return CheckoutSettingsType.from(value, updatedAt);
  }

  @Query(() => CheckoutCapabilitiesType, { description: 'Features enabled for the merchant. Merchant (its own) or admin (and Handoff\'s services, which enforce them).' })
  async checkoutCapabilities(@Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null, @Ctx() ctx: MerchantContext): Promise<CheckoutCapabilitiesType> {
    // A service (payment-intent, enforcing threeDSecure) names the merchant as an admin does.
    const principal = requireKind(ctx.principal, 'ADMIN', 'MERCHANT', 'SERVICE');
    const id = await settingsMerchantOf(this.dataSource, principal, merchantId);
    const { value, updatedAt } = await this.service.capabilities(id);
    return CheckoutCapabilitiesType.from(value, updatedAt);
  }

  @Mutation(() => CheckoutCapabilitiesType, { description: 'Admin only: enables or disables features for a merchant (null: back to the default).' })
  async setMerchantCapabilities(
    @Arg('merchantId', () => ID) merchantId: string,
    @Arg('input', () => MerchantCapabilitiesInput) input: MerchantCapabilitiesInput,
    @Ctx() ctx: MerchantContext,
  ): Promise<CheckoutCapabilitiesType> {
    requireKind(ctx.principal, 'ADMIN');
    const id = await this.merchantOf(ctx, merchantId);
    const { value, updatedAt } = await this.service.setCapabilities(ctx.principal, id, input);
    return CheckoutCapabilitiesType.from(value, updatedAt);
  }

  @Query(() => TransactionLimitsType, { description: "The merchant's transaction limits and velocity rules. Merchant (its own) or admin." })
  async transactionLimits(@Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null, @Ctx() ctx: MerchantContext): Promise<TransactionLimitsType> {
    const { value, updatedAt } = await this.service.limits(await this.merchantOf(ctx, merchantId));
    return TransactionLimitsType.from(value, updatedAt);
  }

  @Mutation(() => TransactionLimitsType, { description: "Admin, or the merchant itself: changes the limits given (null removes one). Amounts in the merchant's currency." })
  async setTransactionLimits(
    @Arg('merchantId', () => ID) merchantId: string,
    @Arg('input', () => TransactionLimitsInput) input: TransactionLimitsInput,
    @Ctx() ctx: MerchantContext,
  ): Promise<TransactionLimitsType> {
    const id = await this.merchantOf(ctx, merchantId);
    const { value, updatedAt } = await this.service.setLimits(ctx.principal, id, input);
    return TransactionLimitsType.from(value, updatedAt);
  }

  @FieldResolver(() => CheckoutBrandingType, { description: "The brand the hosted page shows: public, as the page itself is." })
  async checkoutBranding(@Root() merchant: MerchantType): Promise<CheckoutBrandingType> {
    const { value } = await this.service.settings(merchant.id);
    return CheckoutBrandingType.from(value.branding);
  }
}
