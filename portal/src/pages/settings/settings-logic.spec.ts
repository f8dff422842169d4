import { describe, expect, it } from 'vitest';
import { formatMoney } from '../../lib/money';
import { describeTerms, moneyText, parseCodeList, parseDayList, parseMoneyText, parsePercentText, parseWholeText, percentText } from './settings-logic';

describe('settings logic', () => {
  it('reads money by the currency’s exponent, exactly', () => {
    expect(parseMoneyText('12.5', 'GBP')).toEqual({ ok: true, value: 1250 });
    expect(parseMoneyText('0', 'GBP')).toEqual({ ok: true, value: 0 });
    expect(parseMoneyText('500', 'JPY')).toEqual({ ok: true, value: 500 });
    expect(parseMoneyText('1.234', 'KWD')).toEqual({ ok: true, value: 1234 });
    expect(parseMoneyText('-3', 'GBP')).toEqual({ ok: true, value: -300 }); // sent: the server refuses it
    expect(parseMoneyText('1.5', 'JPY').ok).toBe(false);
    expect(parseMoneyText('12.345', 'GBP').ok).toBe(false);
    expect(parseMoneyText('ten', 'GBP').ok).toBe(false);
    expect(parseMoneyText('99999999999999999', 'GBP').ok).toBe(false);
    expect(moneyText(1250, 'GBP')).toBe('12.50');
    expect(moneyText(500, 'JPY')).toBe('500');
  });

  it('reads percentages as basis points and back', () => {
    expect(parsePercentText('5')).toEqual({ ok: true, value: 500 });
    expect(parsePercentText('2.25')).toEqual({ ok: true, value: 225 });
    expect(parsePercentText('2.5 %')).toEqual({ ok: true, value: 250 });
    expect(parsePercentText('150')).toEqual({ ok: true, value: 15000 }); // sent: the server refuses it
    expect(parsePercentText('2.255').ok).toBe(false);
    expect(parsePercentText('five').ok).toBe(false);
    expect(percentText(500)).toBe('5');
    expect(percentText(250)).toBe('2.5');
    expect(percentText(225)).toBe('2.25');
    expect(percentText(5)).toBe('0.05');
  });

  it('reads whole numbers, day lists and code lists as typed', () => {
    expect(parseWholeText('')).toEqual({ ok: true, value: undefined });
    expect(parseWholeText(' 30 ')).toEqual({ ok: true, value: 30 });
    expect(parseWholeText('3.5').ok).toBe(false);
    expect(parseDayList('1, 3 5,7')).toEqual({ ok: true, value: [1, 3, 5, 7] });
    expect(parseDayList('3, 1')).toEqual({ ok: true, value: [3, 1] }); // the server judges the order
    expect(parseDayList('1, two').ok).toBe(false);
    expect(parseCodeList('gb, ie fr')).toEqual(['GB', 'IE', 'FR']);
  });

  it('describes commission terms', () => {
    const m = (v: { amountMinor: number; currency: string }) => formatMoney(v, 'en-GB');
    expect(describeTerms({ type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' }, percentageBps: null }, m)).toBe('£8.00 per conversion');
    expect(describeTerms({ type: 'PERCENTAGE', cpa: null, percentageBps: 250 }, m)).toBe('2.5 % of the transaction value');
    expect(describeTerms({ type: 'HYBRID', cpa: { amountMinor: 100, currency: 'GBP' }, percentageBps: 500 }, m)).toBe('£1.00 + 5 % of the transaction value');
  });
});
