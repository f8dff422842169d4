// GraphQL types of the BI reads: filters, summary rows, balances, the ledger check, batches.
import { Connection, MoneyType } from '@handoff/shared';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Conversion, LedgerEntryType } from '../conversion/conversion.type.js';
import { ConversionPath, ConversionStatus } from '../conversion/conversion.enums.js';

export enum SummaryGroup {
  MERCHANT = 'MERCHANT',
  AGENT = 'AGENT',
  DAY = 'DAY',
  STATUS = 'STATUS',
}
registerEnumType(SummaryGroup, { name: 'SummaryGroup' });

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
export const SettlementBatchConnection = Connection('SettlementBatch', SettlementBatchType);
export const LedgerEntryConnection = Connection('LedgerEntry', LedgerEntryType);
