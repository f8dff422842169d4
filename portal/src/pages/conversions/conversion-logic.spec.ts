import { describe, expect, it } from 'vitest';
import type { ConversionRowFragment, SettlementBatchRowFragment } from '../../generated/graphql';
import { batchesCsv, conversionsCsv, conversionsFilename, filterFromSearch, filterToSearch, statementCsv, toConversionFilter } from './conversion-logic';
import { collectPages, ExportError, type PageOf } from './export';

const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });
const conversion: ConversionRowFragment = {
  id: 'cnv_1',
  status: 'CLAWED_BACK',
  conversionPath: 'VERIFIED_PAYMENT',
  verification: 'verified',
  orderReference: '=cmd|calc!A1, "x"',
  transactionValue: gbp(1000),
  refunded: gbp(1000),
  commission: { amount: gbp(0), networkFee: gbp(0), builderPayout: gbp(0) },
  agent: { id: 'agt_1', name: 'Shopper' },
  paymentIntent: { id: 'pi_1' },
  paidAt: null,
  createdAt: '2026-12-06T10:00:00.000Z',
  updatedAt: '2026-12-06T10:05:00.000Z',
};

describe('toConversionFilter', () => {
  it('sends whole UTC days: from at midnight, to up to the next midnight (inclusive for the reader)', () => {
    expect(toConversionFilter({ status: 'PAID', from: '2026-12-01', to: '2026-12-06' })).toEqual({
      ok: true,
      filter: { status: 'PAID', from: '2026-12-01T00:00:00.000Z', to: '2026-12-07T00:00:00.000Z' },
    });
    expect(toConversionFilter({ status: '', from: '', to: '' })).toEqual({ ok: true, filter: {} });
    expect(toConversionFilter({ status: '', from: '2026-12-31', to: '2026-12-31' })).toMatchObject({ filter: { from: '2026-12-31T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' } });
  });

  it('refuses an inverted range and a day that does not exist', () => {
    expect(toConversionFilter({ status: '', from: '2026-12-07', to: '2026-12-06' })).toEqual({ ok: false, message: '“From” must be on or before “To”' });
    expect(toConversionFilter({ status: '', from: '2026-02-31', to: '' })).toMatchObject({ ok: false });
    expect(toConversionFilter({ status: '', from: '', to: 'yesterday' })).toMatchObject({ ok: false });
  });
});

describe('the CSV files', () => {
  it('a conversion: exact decimal amounts with the currency, its references, text neutralised and quoted', () => {
    const lines = conversionsCsv([conversion]).split('\r\n');
    expect(lines[0]).toBe(
      'conversion_id,created_at,status,path,verification,order_reference,currency,transaction_value,refunded,commission,network_fee,builder_payout,agent_id,agent_name,payment_intent_id,paid_at',
    );
    expect(lines[1]).toBe(`cnv_1,2026-12-06T10:00:00.000Z,CLAWED_BACK,VERIFIED_PAYMENT,verified,"'=cmd|calc!A1, ""x""",GBP,10.00,10.00,0.00,0.00,0.00,agt_1,Shopper,pi_1,`);
  });

  it('amounts follow the currency’s exponent (JPY 0, KWD 3)', () => {
    const yen = { ...conversion, transactionValue: { amountMinor: 1500, currency: 'JPY' } };
    expect(conversionsCsv([yen]).split('\r\n')[1]).toContain(',JPY,1500,');
    const batch: SettlementBatchRowFragment = {
      id: 'stb_1', period: '2026-12-05', payeeType: 'merchant', status: 'OPEN', total: { amountMinor: 12345, currency: 'KWD' }, lineCount: 2, createdAt: '2026-12-06T00:00:00.000Z', paidAt: null,
    };
    expect(batchesCsv([batch]).split('\r\n')[1]).toBe('stb_1,2026-12-05,merchant,OPEN,KWD,12.345,2,2026-12-06T00:00:00.000Z,');
    const csv = statementCsv(batch, [{ kind: 'adjustment', amount: { amountMinor: -640, currency: 'KWD' }, conversion }]).split('\r\n');
    expect(csv[0]).toMatch(/^batch_id,period,batch_status,batch_total,line_kind,line_amount,conversion_id,/);
    expect(csv[1]).toMatch(/^stb_1,2026-12-05,OPEN,12\.345,adjustment,-0\.640,cnv_1,/);
  });

  it('names the file after its filters', () => {
    expect(conversionsFilename({ status: 'CLAWED_BACK', from: '2026-12-01', to: '' })).toBe('conversions-2026-12-01-to-now-clawed_back.csv');
  });
});

describe('collectPages', () => {
  const pages = (sizes: number[], total = sizes.reduce((a, b) => a + b, 0)) => {
    const asked: Array<string | undefined> = [];
    const fetchPage = async (after: string | undefined): Promise<PageOf<number>> => {
      asked.push(after);
      const i = after ? Number(after) : 0;
      return { nodes: Array.from({ length: sizes[i]! }, (_, k) => i * 100 + k), hasNextPage: i + 1 < sizes.length, endCursor: String(i + 1), totalCount: total };
    };
    return { asked, fetchPage };
  };

  it('follows endCursor to the last page', async () => {
    const p = pages([2, 2, 1]);
    expect(await collectPages(p.fetchPage)).toEqual([0, 1, 100, 101, 200]);
    expect(p.asked).toEqual([undefined, '1', '2']);
  });

  it('refuses above the limit before reading further pages (no partial file)', async () => {
    const p = pages([2, 2], 20_000);
    await expect(collectPages(p.fetchPage, 10_000)).rejects.toThrow(ExportError);
    expect(p.asked).toEqual([undefined]);
  });

  it('stops a list that does not move forward', async () => {
    await expect(collectPages(async () => ({ nodes: [1], hasNextPage: true, endCursor: null, totalCount: 5 }))).rejects.toThrow('stopped paging');
  });
});

describe('filters in the URL', () => {
  it('round-trip, and drop what is not a status or a day', () => {
    const input = { status: 'PAID' as const, from: '2026-12-01', to: '' };
    expect(filterFromSearch(new URLSearchParams(filterToSearch(input)))).toEqual(input);
    expect(filterToSearch(input)).toEqual({ status: 'PAID', from: '2026-12-01' });
    expect(filterFromSearch(new URLSearchParams('status=HACKED&from=<b>&to=2026-12-06'))).toEqual({ status: '', from: '', to: '2026-12-06' });
  });
});
