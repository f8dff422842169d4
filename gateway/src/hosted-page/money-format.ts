// Money for people: the API's exact decimal string (`Money.amount`, e.g. "10.00", "50000")
// formatted in the currency's own style for a locale. Intl.NumberFormat takes the decimal as a
// string (exact, no float on the way), with as many fraction digits as the string has.
const DECIMAL = /^-?\d{1,30}(?:\.(\d{1,6}))?$/;
const FALLBACK_LOCALE = 'en-GB';

export interface MoneyView {
  amount_minor: number;
  amount: string;
  currency: string;
  /** e.g. "£10.00", "50 000 F CFA", "KWD 1.234". */
  display: string;
}

export function formatMoney(amount: string, currency: string, locale = FALLBACK_LOCALE): string {
  const match = DECIMAL.exec(amount);
  if (!match || !/^[A-Z]{3}$/.test(currency)) return `${amount} ${currency}`;
  const digits = match[1]?.length ?? 0;
  try {
    const format = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }) as Intl.NumberFormat & { format(value: string): string };
    return format.format(amount);
  } catch {
    return `${amount} ${currency}`;
  }
}

export function moneyView(m: { amountMinor: number; amount: string; currency: string }, locale?: string): MoneyView {
  return { amount_minor: m.amountMinor, amount: m.amount, currency: m.currency, display: formatMoney(m.amount, m.currency, locale) };
}

/** The first supported locale of an Accept-Language header, else en-GB. */
export function localeFrom(acceptLanguage: string | undefined): string {
  if (!acceptLanguage || acceptLanguage.length > 200) return FALLBACK_LOCALE;
  for (const part of acceptLanguage.split(',')) {
    const tag = part.split(';')[0]!.trim();
    if (!/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/.test(tag)) continue;
    try {
      const [supported] = Intl.NumberFormat.supportedLocalesOf([tag]);
      if (supported) return supported;
    } catch {
      // not a valid tag: try the next one
    }
  }
  return FALLBACK_LOCALE;
}
