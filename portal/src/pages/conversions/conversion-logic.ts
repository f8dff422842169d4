// The Conversions and payouts pages' logic: the filters as the graph's ConversionFilter (dates
// are whole UTC days, "to" inclusive for the reader and exclusive for the graph), and the CSV
// files' columns. Amounts in the files are exact decimals in major units with their currency
// beside them (toMajorDecimal: no float maths), so a spreadsheet sums them as numbers.
import type { ConversionFilter, ConversionRowFragment, ConversionStatus, SettlementBatchRowFragment, StatementLineFragment } from '../../generated/graphql';
import { csvNumber, toCsv, type CsvCell } from '../../lib/csv';
import { toMajorDecimal, type MoneyValue } from '../../lib/money';

export const CONVERSION_STATUSES: readonly ConversionStatus[] = ['PENDING', 'VALIDATED', 'PAYABLE', 'PAID', 'CLAWED_BACK', 'DISPUTED', 'REJECTED'];

export function statusLabel(status: string): string {
  const s = status.toLowerCase().replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export interface FilterInput {
  status: ConversionStatus | '';
  /** YYYY-MM-DD (an <input type="date">'s value), or '' for none. */
  from: string;
  to: string;
}

export type FilterParse = { ok: true; filter: ConversionFilter } | { ok: false; message: string };

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function utcDay(text: string): Date | undefined {
  const m = DAY.exec(text);
  if (!m) return undefined;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  // 2026-02-31 rolls over to March: not a real day.
  return d.getUTCDate() === Number(m[3]) && d.getUTCMonth() === Number(m[2]) - 1 ? d : undefined;
}

/** The filters kept in the page's URL (?status=&from=&to=), so a reload or a shared link keeps them; unknown values are dropped. */
export function filterFromSearch(params: URLSearchParams): FilterInput {
  const status = params.get('status') ?? '';
  return {
    status: (CONVERSION_STATUSES as readonly string[]).includes(status) ? (status as ConversionStatus) : '',
    from: DAY.test(params.get('from') ?? '') ? params.get('from')! : '',
    to: DAY.test(params.get('to') ?? '') ? params.get('to')! : '',
  };
}

export function filterToSearch(input: FilterInput): Record<string, string> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== ''));
}

/** The reader's filters → the graph's: `from` at 00:00 UTC, `to` at 00:00 UTC of the next day. */
export function toConversionFilter(input: FilterInput): FilterParse {
  const filter: ConversionFilter = {};
  if (input.status) filter.status = input.status;
  const from = input.from ? utcDay(input.from) : undefined;
  const to = input.to ? utcDay(input.to) : undefined;
  if (input.from && !from) return { ok: false, message: 'Enter the “From” date as YYYY-MM-DD' };
  if (input.to && !to) return { ok: false, message: 'Enter the “To” date as YYYY-MM-DD' };
  if (from && to && from > to) return { ok: false, message: '“From” must be on or before “To”' };
  if (from) filter.from = from.toISOString();
  if (to) filter.to = new Date(to.getTime() + 86_400_000).toISOString();
  return { ok: true, filter };
}

const amount = (m: MoneyValue): CsvCell => csvNumber(toMajorDecimal(m.amountMinor, m.currency));

export const CONVERSION_CSV_HEADER = [
  'conversion_id', 'created_at', 'status', 'path', 'verification', 'order_reference', 'currency', 'transaction_value',
  'refunded', 'commission', 'network_fee', 'builder_payout', 'agent_id', 'agent_name', 'payment_intent_id', 'paid_at',
] as const;

export function conversionCsvRow(c: ConversionRowFragment): CsvCell[] {
  return [
    c.id, c.createdAt, c.status, c.conversionPath, c.verification, c.orderReference, c.transactionValue.currency,
    amount(c.transactionValue), amount(c.refunded), amount(c.commission.amount), amount(c.commission.networkFee),
    amount(c.commission.builderPayout), c.agent?.id, c.agent?.name, c.paymentIntent?.id, c.paidAt,
  ];
}

export function conversionsCsv(rows: readonly ConversionRowFragment[]): string {
  return toCsv(CONVERSION_CSV_HEADER, rows.map(conversionCsvRow));
}

export const BATCH_CSV_HEADER = ['batch_id', 'period', 'payee_type', 'status', 'currency', 'total', 'line_count', 'created_at', 'paid_at'] as const;

export function batchesCsv(rows: readonly SettlementBatchRowFragment[]): string {
  return toCsv(
    BATCH_CSV_HEADER,
    rows.map((b) => [b.id, b.period, b.payeeType, b.status, b.total.currency, amount(b.total), b.lineCount, b.createdAt, b.paidAt]),
  );
}

/** A batch's statement: the batch's figures on every line, the line's own kind and amount, then the conversion's. */
export function statementCsv(batch: SettlementBatchRowFragment, lines: readonly StatementLineFragment[]): string {
  return toCsv(
    ['batch_id', 'period', 'batch_status', 'batch_total', 'line_kind', 'line_amount', ...CONVERSION_CSV_HEADER],
    lines.map((l) => [batch.id, batch.period, batch.status, amount(batch.total), l.kind, amount(l.amount), ...conversionCsvRow(l.conversion)]),
  );
}

/** "conversions-2026-12-01-to-2026-12-06-clawed_back.csv": what the file holds, in its name. */
export function conversionsFilename(input: FilterInput): string {
  const parts = ['conversions', input.from || 'start', 'to', input.to || 'now'];
  if (input.status) parts.push(input.status.toLowerCase());
  return `${parts.join('-')}.csv`;
}
