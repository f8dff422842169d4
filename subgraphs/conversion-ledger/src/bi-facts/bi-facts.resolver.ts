// GraphQL adapter of the BI facts report and export: arguments in, the service, types out.
import { toMoneyType, type SubgraphContext } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { Arg, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import { biFactChanges } from './bi-facts.export.js';
import { biFactsReport } from './bi-facts.query.js';
import { BiFactChangePageType, BiFactsInput, BiFactsReportType, type BiDimensionEnum, type BiIntervalEnum } from './bi-facts.type.js';

@Resolver()
export class BiFactsResolver {
  /**
   * `reads`: the report's reads (the read replica when usable: ReadPool). `primary`: the export's,
   * whose cursor relies on pg_snapshot_xmin of the server that holds the rows (docs/bi.md: why the
   * export stays on the primary).
   */
  constructor(
    private readonly reads: Pick<DataSource, 'query'>,
    private readonly primary: Pick<DataSource, 'query'>,
  ) {}

  @Query(() => BiFactsReportType, {
    description:
      'Admin: every merchant or one; a merchant: its own (another: FORBIDDEN). The funnel counts and money of [from, to) by UTC day, ISO week or month, ' +
      'grouped by any dimensions together. `from` not before `to`: INVALID_DATE_RANGE; more than 366 days: DATE_RANGE_TOO_LARGE. docs/bi.md.',
  })
  async biFacts(@Arg('input', () => BiFactsInput) input: BiFactsInput, @Ctx() ctx: SubgraphContext): Promise<BiFactsReportType> {
    const r = await biFactsReport(this.reads, ctx.principal, input);
    return {
      from: r.from,
      to: r.to,
      interval: r.interval as BiIntervalEnum,
      groupBy: r.groupBy as BiDimensionEnum[],
      merchantId: r.merchantId,
      rows: r.rows.map((row) => ({
        ...row,
        amounts: row.amounts.map((a) => ({ ...a, gmv: toMoneyType(a.gmv), refunded: toMoneyType(a.refunded), conversionValue: toMoneyType(a.conversionValue), paidOut: toMoneyType(a.paidOut) })),
      })),
    };
  }

  @Query(() => BiFactChangePageType, {
    description:
      'Admin: every merchant\'s facts or one\'s; a merchant: its own. Each fact once, in a stable order, from `since` (a cursor it returned; none: the beginning). ' +
      'A bad cursor: BAD_USER_INPUT (field since). docs/bi.md "Export".',
  })
  async biFactChanges(
    @Arg('since', () => String, { nullable: true }) since: string | null,
    @Arg('first', () => Int, { nullable: true, description: '1 to 5000, 1000 by default.' }) first: number | null,
    @Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<BiFactChangePageType> {
    const page = await biFactChanges(this.primary, ctx.principal, { since, first, merchantId });
    return { ...page, changes: page.changes.map((c) => ({ ...c, amount: c.amount ? toMoneyType(c.amount) : null })) };
  }
}
