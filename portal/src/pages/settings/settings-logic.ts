// The Settings page's pure rules (specs beside it): amounts and percentages typed by a person as
// the graph's integers, lists typed as text, and the whole-configuration inputs the set* mutations
// take built back from what the page shows. Only what cannot be sent is refused here ("abc" is
// not a number); everything that can be sent goes to the server, which is the one to judge it.
import { currencyExponent, toMajorDecimal } from '../../lib/money';

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** "12.50" in `currency` → minor units (exact, no float maths); zero allowed. */
export function parseMoneyText(text: string, currency: string): Parsed<number> {
  const exponent = currencyExponent(currency);
  const m = /^\s*(-?)(\d+)(?:\.(\d*))?\s*$/.exec(text);
  if (!m) return { ok: false, message: `Enter an amount such as ${exponent ? `12.${'5'.padEnd(exponent, '0')}` : '1200'}` };
  const fraction = m[3] ?? '';
  if (fraction.length > exponent) return { ok: false, message: `${currency} has ${exponent} decimal places` };
  const value = Number(`${m[1]}${`${m[2]}${fraction.padEnd(exponent, '0')}`.replace(/^0+(?=\d)/, '')}`);
  if (!Number.isSafeInteger(value)) return { ok: false, message: 'That amount is too large' };
  return { ok: true, value };
}

/** Minor units as the text a money input starts with ("12.50"). */
export const moneyText = (amountMinor: number, currency: string): string => toMajorDecimal(amountMinor, currency);

/** "5" or "2.25" (%) → basis points (500, 225); at most two decimals. */
export function parsePercentText(text: string): Parsed<number> {
  const m = /^\s*(-?)(\d+)(?:\.(\d{0,2}))?\s*%?\s*$/.exec(text);
  if (!m) return { ok: false, message: 'Enter a percentage such as 5 or 2.25' };
  const value = Number(`${m[1]}${m[2]}${(m[3] ?? '').padEnd(2, '0')}`);
  if (!Number.isSafeInteger(value)) return { ok: false, message: 'That percentage is too large' };
  return { ok: true, value };
}

/** Basis points as percentage text (550 → "5.5"). */
export function percentText(bps: number): string {
  const whole = Math.trunc(bps / 100);
  const rest = Math.abs(bps % 100);
  return rest ? `${whole}.${String(rest).padStart(2, '0').replace(/0$/, '')}` : String(whole);
}

/** A whole number typed in a field; empty is undefined (not given). */
export function parseWholeText(text: string, label = 'a whole number'): Parsed<number | undefined> {
  if (!text.trim()) return { ok: true, value: undefined };
  if (!/^\s*-?\d+\s*$/.test(text)) return { ok: false, message: `Enter ${label}` };
  const value = Number(text);
  return Number.isSafeInteger(value) ? { ok: true, value } : { ok: false, message: 'That number is too large' };
}

/** "1, 3, 5 7" → [1, 3, 5, 7]: the days as typed, in the order typed (the server judges them). */
export function parseDayList(text: string): Parsed<number[]> {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (parts.some((p) => !/^-?\d+$/.test(p))) return { ok: false, message: 'Enter whole numbers of days separated by commas, such as 1, 3, 5, 7' };
  return { ok: true, value: parts.map(Number) };
}

/** "gb, FR de" → ["GB", "FR", "DE"]. */
export function parseCodeList(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean).map((c) => c.toUpperCase());
}

/** "a, b c" → ["a", "b", "c"] (as typed). */
export function parseWordList(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/** "£8.00 per conversion", "5 % of the transaction value", "£8.00 + 2.5 % of the transaction value". */
export function describeTerms(t: { type: string; cpa: { amountMinor: number; currency: string } | null; percentageBps: number | null }, money: (m: { amountMinor: number; currency: string }) => string): string {
  const pct = t.percentageBps !== null ? `${percentText(t.percentageBps)} % of the transaction value` : '';
  const cpa = t.cpa ? money(t.cpa) : '';
  if (t.type === 'CPA') return `${cpa} per conversion`;
  if (t.type === 'PERCENTAGE') return pct;
  return `${cpa} + ${pct}`;
}
