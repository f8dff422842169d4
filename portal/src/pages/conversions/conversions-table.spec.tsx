// A conversion's merchant- and agent-controlled strings render as inert text; amounts are
// formatted for their currency; each row links to the conversion's detail.
import { renderToStaticMarkup } from 'react-dom/server';
import { MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';
import type { ConversionRowFragment } from '../../generated/graphql';
import { ConversionRows } from './conversions-table';

const XSS = '<img src=x onerror="alert(1)"><script>alert(2)</script>';

const row: ConversionRowFragment = {
  id: 'cnv/1',
  status: 'CLAWED_BACK',
  conversionPath: 'VERIFIED_PAYMENT',
  verification: 'verified',
  orderReference: XSS,
  transactionValue: { amountMinor: 1500, currency: 'JPY' },
  refunded: { amountMinor: 1500, currency: 'JPY' },
  commission: { amount: { amountMinor: 0, currency: 'JPY' }, networkFee: { amountMinor: 0, currency: 'JPY' }, builderPayout: { amountMinor: 0, currency: 'JPY' } },
  agent: { id: 'agt_1', name: XSS },
  paymentIntent: { id: 'pi_1' },
  paidAt: null,
  createdAt: '2026-12-06T10:00:00.000Z',
  updatedAt: '2026-12-06T10:05:00.000Z',
};

describe('ConversionRows', () => {
  it('renders references and agent names as text, money by currency, a link to the detail', () => {
    const html = renderToStaticMarkup(
      <MemoryRouter>
        <ConversionRows rows={[row]} caption="All conversions" />
      </MemoryRouter>,
    );
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(html).toContain('Clawed back');
    expect(html).toContain('¥1,500');
    expect(html).not.toContain('¥1,500.00');
    expect(html).toContain('href="/conversions/cnv%2F1"');
    expect(html).toContain('<th scope="col" class="num">Commission</th>');
  });
});
