// Seed 003 §16's exports in GraphQL: createExport, export(id), exports, and CheckoutExport.download.
// A merchant key: its own; an admin: any merchant's. Check the principal, map arguments, call the service.
import { idempotencyKeyOf, mapPage, requireKind, type Page } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { CheckoutContext } from '../context.js';
import type { CheckoutExportService } from './checkout-export.service.js';
import { CheckoutExport, CheckoutExportConnection, CheckoutExportDownload, CreateExportInput } from './checkout-export.type.js';

@Resolver(() => CheckoutExport)
export class CheckoutExportResolver {
  constructor(private readonly service: CheckoutExportService) {}

  @Mutation(() => CheckoutExport, {
    description:
      "Requests an export of checkout events or failed sessions for [from, to) (at most 366 days: DATE_RANGE_TOO_LARGE; inverted: INVALID_DATE_RANGE) as CSV or NDJSON; an asynchronous job writes it (status pending → ready). A merchant key: its own data; an admin names the merchant.",
  })
  async createExport(
    @Arg('input', () => CreateExportInput) input: CreateExportInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutExport> {
    requireKind(ctx.principal, 'MERCHANT', 'ADMIN');
    const created = await this.service.create(ctx.principal, input, idempotencyKeyOf(ctx, idempotencyKey));
    return CheckoutExport.from(created);
  }

  @Query(() => CheckoutExport, { name: 'export', nullable: true, description: 'One export (null when unknown or not the caller\'s).' })
  async exportById(@Arg('id', () => ID) id: string, @Ctx() ctx: CheckoutContext): Promise<CheckoutExport | null> {
    requireKind(ctx.principal, 'MERCHANT', 'ADMIN');
    const found = await this.service.find(ctx.principal, id);
    return found ? CheckoutExport.from(found) : null;
  }

  @Query(() => CheckoutExportConnection, { description: "Exports, oldest first: a merchant's own; an admin's all, or one merchant's." })
  async exports(
    @Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<Page<CheckoutExport>> {
    requireKind(ctx.principal, 'MERCHANT', 'ADMIN');
    return mapPage(await this.service.list(ctx.principal, { merchantId, first, after }), CheckoutExport.from);
  }

  @FieldResolver(() => CheckoutExportDownload, {
    nullable: true,
    description: 'Once ready: a signed link to the file, valid `expiresInSeconds` (default 900, at most 86400, never past the file). Null before, or once the file expired.',
  })
  download(
    @Root() e: CheckoutExport,
    @Arg('expiresInSeconds', () => Int, { nullable: true }) expiresInSeconds: number | null,
  ): CheckoutExportDownload | null {
    const link = this.service.downloadLink(e.entity, expiresInSeconds);
    return link ? Object.assign(new CheckoutExportDownload(), link) : null;
  }
}
