// merchantNotices: check the principal, call the service.
import { mapPage, optionalId, requireKind, type Page } from '@handoff/shared';
import { Arg, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import type { MerchantContext } from '../context.js';
import type { MerchantNoticeService } from './merchant-notice.service.js';
import { MerchantNoticeConnection, MerchantNoticeType } from './merchant-notice.type.js';

@Resolver(() => MerchantNoticeType)
export class MerchantNoticeResolver {
  constructor(private readonly service: MerchantNoticeService) {}

  @Query(() => MerchantNoticeConnection, {
    description: "Admin (naming the merchant), or a merchant key: what Handoff told the merchant (e.g. webhook_endpoint.disabled), newest first.",
  })
  async merchantNotices(
    @Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<Page<MerchantNoticeType>> {
    const principal = requireKind(ctx.principal, 'ADMIN', 'MERCHANT');
    return mapPage(await this.service.list(principal, optionalId(merchantId, 'merchantId') ?? null, { first, after }), MerchantNoticeType.from);
  }
}
