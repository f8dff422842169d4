// Buyer- and merchant-controlled strings render as text: an XSS attempt in an agent's name, an
// order reference or a payment description comes out escaped, never as markup.
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { LiveConversionFragment, LivePaymentFragment } from '../../generated/graphql';
import { mergeLive } from './live-list';
import { ConversionsTable, PaymentsTable } from './live-tables';

const XSS = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });

function conversion(id: string, over: Partial<LiveConversionFragment> = {}): LiveConversionFragment {
  return {
    id,
    status: 'PENDING',
    verification: 'verified',
    orderReference: XSS,
    transactionValue: gbp(1000),
    refunded: gbp(0),
    commission: { amount: gbp(150) },
    agent: { id: 'agt_1', name: XSS },
    createdAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T10:00:00.000Z',
    ...over,
  };
}

describe('live tables', () => {
  it('render names, references and descriptions as inert text', () => {
    const payment: LivePaymentFragment = {
      id: 'pi_1',
      status: 'SUCCEEDED',
      description: XSS,
      amount: gbp(1000),
      amountRefunded: gbp(250),
      createdAt: '2026-12-01T10:00:00.000Z',
    };
    const html = renderToStaticMarkup(
      <>
        <ConversionsTable rows={[conversion('cnv_1')]} caption="c" />
        <PaymentsTable rows={[payment]} />
      </>,
    );
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(html).toContain('£10.00');
    expect(html).toContain('£1.50');
    expect(html).toContain('£2.50');
  });

  it('mergeLive puts the newest first, replaces an item seen before and keeps at most max', () => {
    let list: LiveConversionFragment[] = [];
    list = mergeLive(list, conversion('a'));
    list = mergeLive(list, conversion('b'));
    list = mergeLive(list, conversion('a', { status: 'VALIDATED' }));
    expect(list.map((c) => [c.id, c.status])).toEqual([
      ['a', 'VALIDATED'],
      ['b', 'PENDING'],
    ]);
    for (let i = 0; i < 10; i++) list = mergeLive(list, conversion(`x${i}`), 5);
    expect(list).toHaveLength(5);
  });
});
