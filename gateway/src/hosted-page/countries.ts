// The countries the page's address forms offer: ISO 3166-1's assigned codes (the iso-3166 package,
// the list the checkout-session subgraph checks addresses against), named for the buyer's locale
// (Intl.DisplayNames) and sorted by those names.
import { iso31661 } from 'iso-3166/1.js';

export interface Country {
  code: string;
  name: string;
}

const CODES = new Set(iso31661.map((c) => c.alpha2));
const cache = new Map<string, readonly Country[]>();

function namer(locale: string): (code: string) => string {
  let names: Intl.DisplayNames | undefined;
  try {
    names = new Intl.DisplayNames([locale, 'en'], { type: 'region' });
  } catch {
    names = undefined;
  }
  const fallback = new Map(iso31661.map((c) => [c.alpha2, c.name]));
  return (code) => names?.of(code) ?? fallback.get(code) ?? code;
}

/** The country's name for `locale` (en-GB by default), or the code itself when unknown. */
export function countryName(code: string, locale = 'en-GB'): string {
  return CODES.has(code) ? namer(locale)(code) : code;
}

export const isCountryCode = (code: string): boolean => CODES.has(code);

/** Every country, named and sorted for `locale`; computed once per locale. */
export function countriesFor(locale = 'en-GB'): readonly Country[] {
  const known = cache.get(locale);
  if (known) return known;
  const name = namer(locale);
  const collator = new Intl.Collator(locale);
  const list = [...CODES].map((code) => ({ code, name: name(code) })).sort((a, b) => collator.compare(a.name, b.name));
  if (cache.size < 50) cache.set(locale, list);
  return list;
}

/** The region of a locale such as en-GB (a preselected country), when it is a country. */
export function countryOfLocale(locale: string | undefined): string | null {
  const region = locale?.split('-').find((part, i) => i > 0 && /^[A-Z]{2}$/.test(part));
  return region && CODES.has(region) ? region : null;
}
