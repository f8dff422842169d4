// GraphQL types of the BI reads: filters, summary rows, balances, the ledger check, batches.
import { Connection, MoneyType } from '@handoff/shared';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { ConversionEntity } from '../conversion/conversion.entity.js';
import { Conversion, LedgerEntryType } from '../conversion/conversion.type.js';
import { ConversionPath, ConversionStatus } from '../conversion/conversion.enums.js';

export enum SummaryGroup {
  MERCHANT = 'MERCHANT',
  AGENT = 'AGENT',
  DAY = 'DAY',
  STATUS = 'STATUS',
}
registerEnumType(SummaryGroup, { name: 'SummaryGroup' });

/** The order of the conversions list: by creation (then id), oldest or newest first. */
export enum ConversionOrder {
  CREATED_ASC = 'CREATED_ASC',
  CREATED_DESC = 'CREATED_DESC',
}
registerEnumType(ConversionOrder, {
  name: 'ConversionOrder',
  description: 'By creation time, then id: CREATED_ASC oldest first (the default), CREATED_DESC newest first.',
});

@InputType('ConversionFilter')
export class ConversionFilterInput {
  @Field(() => ID, { nullable: true }) merchantId?: string | null;
  @Field(() => ID, { nullable: true }) agentId?: string | null;
  @Field(() => ConversionStatus, { nullable: true }) status?: ConversionStatus | null;
  @Field(() => ConversionPath, { nullable: true }) conversionPath?: ConversionPath | null;
  @Field(() => Date, { nullable: true, description: 'Created at or after.' }) from?: Date | null;
  @Field(() => Date, { nullable: true, description: 'Created before.' }) to?: Date | null;
}

@InputType('LedgerEntryFilter')
export class LedgerEntryFilterInput {
  @Field(() => ID, { nullable: true }) conversionId?: string | null;
  @Field(() => String, { nullable: true }) accountType?: string | null;
}

@ObjectType('CommissionSummaryRow')
export class CommissionSummaryRowType {
  @Field(() => String, { nullable: true, description: 'The merchant id, agent id, day (YYYY-MM-DD) or status.' }) key: string | null;
  @Field() currency: string;
  @Field(() => Int) count: number;
  @Field(() => MoneyType) transactionValue: MoneyType;
  @Field(() => MoneyType) commission: MoneyType;
  @Field(() => MoneyType) networkFee: MoneyType;
  @Field(() => MoneyType) builderPayout: MoneyType;
  @Field(() => MoneyType, { description: 'What the PSP refunded of these conversions\' payments (partial and full refunds).' }) refunded: MoneyType;
  @Field(() => Int, { description: 'Of these conversions, those with any refund (refund rate: refundedCount / count).' }) refundedCount: number;
}

@ObjectType('LedgerBalance')
export class LedgerBalanceType {
  @Field() account: string;
  @Field() accountType: string;
  @Field() owner: string;
  @Field(() => MoneyType, { description: 'Debit-positive: receivables > 0, payables and revenue < 0.' }) balance: MoneyType;
}

@ObjectType('LedgerCheck', { description: 'Balances rebuilt from entries against the books.' })
export class LedgerCheckType {
  @Field() balanced: boolean;
  @Field(() => Int) transactions: number;
  @Field(() => Int) entries: number;
  @Field(() => [String]) unbalancedTransactions: string[];
  @Field(() => [String]) balanceMismatches: string[];
  @Field(() => [String]) conversionMismatches: string[];
  @Field(() => [String]) overdrawnAccounts: string[];
}

@ObjectType('SettlementBatch')
export class SettlementBatchType {
  @Field(() => ID) id: string;
  @Field({ description: 'The settled day, YYYY-MM-DD (UTC).' }) period: string;
  @Field({ description: 'builder:<id> (payout) or merchant:<id> (invoice).' }) payee: string;
  @Field({ description: 'builder | merchant' }) payeeType: string;
  @Field(() => ID) payeeId: string;
  @Field(() => MoneyType) total: MoneyType;
  @Field({ description: 'OPEN | PAID' }) status: string;
  @Field(() => Int) lineCount: number;
  @Field() createdAt: Date;
  @Field(() => Date, { nullable: true }) paidAt: Date | null;
}

@InputType('RunSettlementInput')
export class RunSettlementInput {
  @Field(() => Date, { nullable: true, description: 'Defaults to now; the period is its UTC day.' }) asOf?: Date | null;
}

export const ConversionConnection = Connection('Conversion', Conversion);
@ObjectType('SettlementLine', { description: "One line of a settlement batch's statement: what one conversion adds to the batch." })
export class SettlementLineType {
  @Field(() => Conversion) conversion: ConversionEntity;
  @Field({ description: "commission (the conversion's first line in a batch of this payee type) | adjustment (a later change: a clawback after an earlier settlement is negative)" })
  kind: string;
  @Field(() => MoneyType, { description: "This line's share of the batch total, in the batch's currency; negative for an adjustment that takes back." })
  amount: MoneyType;
}

export const SettlementBatchConnection = Connection('SettlementBatch', SettlementBatchType);
export const SettlementLineConnection = Connection('SettlementLine', SettlementLineType);
export const LedgerEntryConnection = Connection('LedgerEntry', LedgerEntryType);
