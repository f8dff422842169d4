// GraphQL adapter for BI reads and settlement: check the principal, call the service, map rows.
import { money, readMinorUnits, requireKind, toMoneyType, type Page, type SubgraphContext } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { ConversionEntity } from '../conversion/conversion.entity.js';
import type { LedgerEntryType } from '../conversion/conversion.type.js';
import type { SettlementService } from '../settlement/settlement.service.js';
import { toBalance, toBatch, toEntry, toSummary } from './reporting.mappers.js';
import type { ReportingService } from './reporting.service.js';
import {
  CommissionSummaryRowType, ConversionConnection, ConversionFilterInput, ConversionOrder, LedgerBalanceType, LedgerCheckType, LedgerEntryConnection,
  LedgerEntryFilterInput, RunSettlementInput, SettlementBatchConnection, SettlementBatchType, SettlementLineConnection, SettlementLineType, SummaryGroup,
} from './reporting.type.js';

const mapPage = <T, U>(page: Page<T>, fn: (node: T) => U): Page<U> => ({
  ...page,
  edges: page.edges.map((e) => ({ cursor: e.cursor, node: fn(e.node) })),
});

@Resolver()
export class ReportingResolver {
  constructor(private readonly reporting: ReportingService) {}

  @Query(() => ConversionConnection, {
    description: 'Admin: all; a merchant: its own; an agent: those it earned. By creation: oldest first, or newest first with order: CREATED_DESC (a cursor pages on in the order it was read with).',
  })
  conversions(
    @Arg('filter', () => ConversionFilterInput, { nullable: true }) filter: ConversionFilterInput | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('order', () => ConversionOrder, { nullable: true, description: 'Default CREATED_ASC (oldest first).' }) order: ConversionOrder | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<Page<ConversionEntity>> {
    return this.reporting.conversions(ctx.principal, filter, first, after, order ?? ConversionOrder.CREATED_ASC);
  }

  @Query(() => [CommissionSummaryRowType])
  async commissionSummary(
    @Arg('filter', () => ConversionFilterInput, { nullable: true }) filter: ConversionFilterInput | null,
    @Arg('groupBy', () => SummaryGroup) groupBy: SummaryGroup,
    @Ctx() ctx: SubgraphContext,
  ): Promise<CommissionSummaryRowType[]> {
    return (await this.reporting.commissionSummary(ctx.principal, filter, groupBy)).map(toSummary);
  }

  @Query(() => LedgerEntryConnection, { description: 'Append-only entries, oldest first.' })
  async ledgerEntries(
    @Arg('filter', () => LedgerEntryFilterInput, { nullable: true }) filter: LedgerEntryFilterInput | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<Page<LedgerEntryType>> {
    return mapPage(await this.reporting.entries(ctx.principal, filter ?? {}, first, after), toEntry);
  }

  @Query(() => [LedgerBalanceType], { description: 'Admin: every account; a merchant: its receivable; an agent: its builder and held accounts.' })
  async ledgerBalances(@Ctx() ctx: SubgraphContext): Promise<LedgerBalanceType[]> {
    return (await this.reporting.balances(ctx.principal)).map(toBalance);
  }

  @Query(() => LedgerCheckType, { description: 'Admin. Rebuilds balances from the entries and checks every invariant.' })
  async ledgerCheck(@Ctx() ctx: SubgraphContext): Promise<LedgerCheckType> {
    requireKind(ctx.principal, 'ADMIN', 'SERVICE');
    return this.reporting.check();
  }
}

@Resolver(() => SettlementBatchType)
export class SettlementResolver {
  constructor(
    private readonly reporting: ReportingService,
    private readonly settlement: SettlementService,
  ) {}

  @Query(() => SettlementBatchConnection, { description: 'Admin: all; a merchant: its invoices; an agent: its builder payouts.' })
  async settlementBatches(
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('period', () => String, { nullable: true }) period: string | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<Page<SettlementBatchType>> {
    // Each batch keeps where it was read from: its conversions are read from the same side.
    return mapPage(await this.reporting.batches(ctx.principal, first, after, period), (row) => this.reporting.reads.sameSourceAs(row, toBatch(row)));
  }

  @Query(() => SettlementBatchType, { nullable: true, description: 'One settlement batch the caller may see (admin: any; a merchant: its invoice; an agent: its builder payout), else null.' })
  async settlementBatch(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext): Promise<SettlementBatchType | null> {
    const row = await this.reporting.batch(ctx.principal, id);
    return row ? this.reporting.reads.sameSourceAs(row, toBatch(row)) : null;
  }

  @Mutation(() => [SettlementBatchType], { description: 'Admin. Settles the period of asOf; a rerun is a no-op returning the same batches.' })
  async runSettlement(
    @Arg('input', () => RunSettlementInput, { nullable: true }) input: RunSettlementInput | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<SettlementBatchType[]> {
    requireKind(ctx.principal, 'ADMIN');
    return (await this.settlement.run(ctx.principal, input?.asOf ?? new Date())).map(toBatch);
  }

  @Mutation(() => SettlementBatchType, { description: 'Admin. The payout was sent or the invoice paid: its conversions become PAID.' })
  async markBatchPaid(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext): Promise<SettlementBatchType> {
    return toBatch(await this.settlement.markBatchPaid(ctx.principal, id));
  }

  @FieldResolver(() => SettlementLineConnection, { description: "The batch's statement: each conversion's line with its own amount (they add up to total), by conversion id." })
  async lines(
    @Root() batch: SettlementBatchType,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<Page<SettlementLineType>> {
    const currency = batch.total.currency;
    return mapPage(await this.reporting.batchLines(batch, first, after), (l) =>
      Object.assign(new SettlementLineType(), { conversion: l.conversion, kind: l.kind, amount: toMoneyType(money(readMinorUnits(l.amountMinor), currency)) }),
    );
  }

  @FieldResolver(() => ConversionConnection)
  conversions(
    @Root() batch: SettlementBatchType,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<Page<ConversionEntity>> {
    return this.reporting.batchConversions(batch, first, after);
  }
}
