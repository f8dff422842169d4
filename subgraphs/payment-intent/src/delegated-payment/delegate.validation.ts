// The delegate_payment request's rules (the ACP spec's §3 and §7), checked before anything is
// vaulted. Errors name the field (GraphQL path; the REST edge turns it into the spec's param),
// never its value: a card number, CVC or expiry is never quoted nor logged.
import { badUserInput, cardNumberDigits, money, normalizeCurrency } from '@handoff/shared';

export interface DelegatedCardSpec {
  type: string;
  cardNumberType: string;
  virtual?: boolean | null;
  number: string;
  expMonth?: string | null;
  expYear?: string | null;
  name?: string | null;
  cvc?: string | null;
  cryptogram?: string | null;
  eciValue?: string | null;
  checksPerformed?: string[] | null;
  iin?: string | null;
  displayCardFundingType: string;
  displayWalletType?: string | null;
  displayBrand?: string | null;
  displayLast4?: string | null;
  metadata: Record<string, unknown>;
}

export interface AllowanceSpec {
  reason: string;
  maxAmount: number;
  currency: string;
  checkoutSessionId: string;
  merchantId: string;
  expiresAt: string;
}

export interface DelegateSpec {
  paymentMethod: DelegatedCardSpec;
  allowance: AllowanceSpec;
  billingAddress?: { name: string; lineOne: string; lineTwo?: string | null; city: string; state: string; country: string; postalCode: string } | null;
  riskSignals: Array<{ type: string; score: number; action: string }>;
  metadata: Record<string, unknown>;
}

/** What the vault keeps and hands the PSP, once valid. */
export interface ValidDelegation {
  card: { number: string; expMonth: number | null; expYear: number | null; cvc: string | null; name: string | null; funding: string };
  allowance: { maxAmountMinor: number; currency: string; checkoutSessionId: string; merchantId: string; expiresAt: Date };
  riskSignals: Array<{ type: string; score: number; action: string }>;
  metadata: Record<string, string>;
}

const ID = /^[A-Za-z0-9_-]{1,100}$/;
const CHECKS = ['avs', 'cvv', 'ani', 'auth0'];
const FUNDING = ['credit', 'debit', 'prepaid'];
const ACTIONS = ['blocked', 'manual_review', 'authorized'];
/** How far ahead an allowance may expire. */
export const MAX_ALLOWANCE_DAYS = 30;

export function validateDelegation(spec: DelegateSpec, now: Date): ValidDelegation {
  const pm = spec.paymentMethod;
  const f = (name: string) => `paymentMethod.${name}`;
  if (pm.type !== 'card') throw badUserInput(f('type'), 'must be card.');
  if (!['fpan', 'network_token'].includes(pm.cardNumberType)) throw badUserInput(f('cardNumberType'), 'must be fpan or network_token.');
  const number = cardNumberDigits(pm.number);
  if (!number) throw badUserInput(f('number'), 'must be a card number of 12 to 19 digits that passes the Luhn check.');
  let expMonth: number | null = null;
  let expYear: number | null = null;
  if (pm.expMonth !== null && pm.expMonth !== undefined) {
    if (!/^\d{1,2}$/.test(pm.expMonth) || Number(pm.expMonth) < 1 || Number(pm.expMonth) > 12) throw badUserInput(f('expMonth'), 'must be 01 to 12.');
    expMonth = Number(pm.expMonth);
  }
  if (pm.expYear !== null && pm.expYear !== undefined) {
    if (!/^\d{4}$/.test(pm.expYear)) throw badUserInput(f('expYear'), 'must be a four-digit year.');
    expYear = Number(pm.expYear);
    const year = now.getUTCFullYear();
    if (expYear < year || (expYear === year && expMonth !== null && expMonth < now.getUTCMonth() + 1)) throw badUserInput(f('expYear'), 'the card has expired.');
  }
  if (pm.cvc !== null && pm.cvc !== undefined && !/^\d{3,4}$/.test(pm.cvc)) throw badUserInput(f('cvc'), 'must be 3 or 4 digits.');
  if (pm.iin !== null && pm.iin !== undefined && !/^\d{1,8}$/.test(pm.iin)) throw badUserInput(f('iin'), 'must be at most 8 digits.');
  if (pm.displayLast4 !== null && pm.displayLast4 !== undefined && !/^\d{4}$/.test(pm.displayLast4)) throw badUserInput(f('displayLast4'), 'must be 4 digits.');
  if (pm.eciValue !== null && pm.eciValue !== undefined && pm.eciValue.length > 2) throw badUserInput(f('eciValue'), 'must be at most 2 characters.');
  if (!FUNDING.includes(pm.displayCardFundingType)) throw badUserInput(f('displayCardFundingType'), 'must be credit, debit or prepaid.');
  for (const c of pm.checksPerformed ?? []) if (!CHECKS.includes(c)) throw badUserInput(f('checksPerformed'), 'each must be avs, cvv, ani or auth0.');
  for (const [name, v] of [['name', pm.name], ['displayBrand', pm.displayBrand], ['displayWalletType', pm.displayWalletType], ['cryptogram', pm.cryptogram]] as const) {
    if (v !== null && v !== undefined && v.length > 256) throw badUserInput(f(name), 'must be at most 256 characters.');
  }
  stringMap(pm.metadata, f('metadata'));

  const a = spec.allowance;
  if (a.reason !== 'one_time') throw badUserInput('allowance.reason', 'must be one_time.');
  if (typeof a.currency !== 'string' || !/^[a-z]{3}$/.test(a.currency)) throw badUserInput('allowance.currency', 'must be a lowercase ISO 4217 code (e.g. usd).');
  const currency = normalizeCurrency(a.currency, 'allowance.currency');
  const max = money(a.maxAmount, currency, 'allowance.maxAmount');
  if (max.amountMinor < 1) throw badUserInput('allowance.maxAmount', 'must be at least 1 (minor units).');
  if (!ID.test(a.checkoutSessionId ?? '')) throw badUserInput('allowance.checkoutSessionId', 'must be a checkout session id.');
  if (!ID.test(a.merchantId ?? '')) throw badUserInput('allowance.merchantId', 'must be a merchant id.');
  const expiresAt = rfc3339(a.expiresAt);
  if (!expiresAt) throw badUserInput('allowance.expiresAt', 'must be an RFC 3339 timestamp.');
  if (expiresAt.getTime() <= now.getTime()) throw badUserInput('allowance.expiresAt', 'must be in the future.');
  if (expiresAt.getTime() > now.getTime() + MAX_ALLOWANCE_DAYS * 86_400_000) throw badUserInput('allowance.expiresAt', `must be within ${MAX_ALLOWANCE_DAYS} days.`);

  if (!Array.isArray(spec.riskSignals) || spec.riskSignals.length < 1 || spec.riskSignals.length > 20) throw badUserInput('riskSignals', 'must list 1 to 20 risk signals.');
  for (const r of spec.riskSignals) {
    if (r.type !== 'card_testing') throw badUserInput('riskSignals.type', 'must be card_testing.');
    if (!Number.isSafeInteger(r.score)) throw badUserInput('riskSignals.score', 'must be an integer.');
    if (!ACTIONS.includes(r.action)) throw badUserInput('riskSignals.action', 'must be blocked, manual_review or authorized.');
    if (r.action === 'blocked') throw badUserInput('riskSignals.action', "the platform's own risk check blocked this card: it is not vaulted.");
  }
  const b = spec.billingAddress;
  if (b) {
    const limits: Array<[string, string | null | undefined, number]> = [['name', b.name, 256], ['lineOne', b.lineOne, 60], ['lineTwo', b.lineTwo, 60], ['city', b.city, 60], ['state', b.state, 60], ['postalCode', b.postalCode, 20]];
    for (const [name, v, max] of limits) if (v !== null && v !== undefined && v.length > max) throw badUserInput(`billingAddress.${name}`, `must be at most ${max} characters.`);
    if (!/^[A-Za-z]{2}$/.test(b.country)) throw badUserInput('billingAddress.country', 'must be an ISO 3166-1 alpha-2 code.');
  }
  const metadata = stringMap(spec.metadata, 'metadata');
  return {
    card: { number, expMonth, expYear, cvc: pm.cvc ?? null, name: pm.name ?? null, funding: pm.displayCardFundingType },
    allowance: { maxAmountMinor: max.amountMinor, currency, checkoutSessionId: a.checkoutSessionId, merchantId: a.merchantId, expiresAt },
    riskSignals: spec.riskSignals.map((r) => ({ type: r.type, score: r.score, action: r.action })),
    metadata,
  };
}

function rfc3339(value: unknown): Date | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i.test(value)) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A flat map of strings (the spec's metadata): at most 50 keys of 40 characters, values of 500. */
function stringMap(value: unknown, field: string): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw badUserInput(field, 'must be an object of strings.');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 50) throw badUserInput(field, 'must have at most 50 keys.');
  for (const [k, v] of entries) {
    if (k.length < 1 || k.length > 40) throw badUserInput(field, 'keys must be 1 to 40 characters.');
    if (typeof v !== 'string' || v.length > 500) throw badUserInput(field, 'values must be strings of at most 500 characters.');
  }
  return Object.fromEntries(entries) as Record<string, string>;
}
