// Money as the graph sends it (integer minor units + ISO 4217 code), formatted for the reader's
// locale with Intl.NumberFormat. The currency's exponent is ISO 4217's, as shared/src/money uses
// (not Intl's own idea of it, which differs for a few currencies such as HUF or ISK); the table
// lists the currencies whose exponent is not 2 and money.spec.ts checks it against the same
// `currency-codes` data shared/src/money is built from.
const EXPONENTS: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0,
  VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

export interface MoneyValue {
  amountMinor: number;
  currency: string;
}

export function currencyExponent(currency: string): number {
  return EXPONENTS[currency.toUpperCase()] ?? 2;
}

/** The exact decimal of `amountMinor` in major units ("12.34", "-0.05", "500"), no float maths. */
export function toMajorDecimal(amountMinor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const negative = amountMinor < 0;
  const digits = Math.abs(Math.trunc(amountMinor)).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = exponent > 0 ? `.${digits.slice(-exponent)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(currency: string, locale: string | undefined, compact: boolean): Intl.NumberFormat {
  const key = `${locale ?? ''}|${currency}|${compact}`;
  let f = formatters.get(key);
  if (!f) {
    const exponent = currencyExponent(currency);
    f = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: currency.toUpperCase(),
      ...(compact ? { notation: 'compact', maximumFractionDigits: 1 } : { minimumFractionDigits: exponent, maximumFractionDigits: exponent }),
    });
    formatters.set(key, f);
  }
  return f;
}

/** "£12.34", "¥500", "12,345 د.ك." — `locale` defaults to the browser's. */
export function formatMoney(value: MoneyValue, locale?: string): string {
  const decimal = toMajorDecimal(value.amountMinor, value.currency);
  // Intl.NumberFormat formats decimal strings exactly (no float rounding of large amounts).
  return formatter(value.currency, locale, false).format(decimal as unknown as number);
}

/** Short form for chart axes ("£1.2K"). */
export function formatMoneyCompact(value: MoneyValue, locale?: string): string {
  return formatter(value.currency, locale, true).format(Number(toMajorDecimal(value.amountMinor, value.currency)));
}

/** A ratio (0..1) as a percentage, or an em dash when there is none. */
export function formatRate(rate: number | null | undefined, locale?: string): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—';
  return new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(rate);
}
