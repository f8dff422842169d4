// Validation of merchant input that needs no database: country, validation period, and the
// whole create/update drafts (commission terms and flows have their own files).
import { badUserInput, normalizeCurrency } from '@handoff/shared';
import { iso31661 } from 'iso-3166';
import { optionalText, requiredText } from '../input.js';
import { resolveCommissionTerms, type CommissionTerms, type CommissionTermsSpec } from './commission-terms.js';
import { resolveConversionFlow, type ConversionFlow, type ConversionFlowSpec } from './conversion-flow.js';
import { MerchantStatus } from './merchant.enums.js';

/** Officially assigned ISO 3166-1 alpha-2 codes, from the maintained `iso-3166` package. */
const COUNTRIES: ReadonlySet<string> = new Set(iso31661.map((c) => c.alpha2));

export const DEFAULT_VALIDATION_PERIOD_DAYS = 30;
export const MAX_VALIDATION_PERIOD_DAYS = 365;

export function normalizeCountry(value: unknown, field = 'country'): string {
  if (typeof value !== 'string') throw badUserInput(field, 'is required.');
  const code = value.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(code)) throw badUserInput(field, 'must be a two-letter ISO 3166-1 alpha-2 country code.');
  if (!COUNTRIES.has(code)) throw badUserInput(field, `${code} is not an assigned ISO 3166-1 alpha-2 country code.`);
  return code;
}

export function validationPeriodDays(value: number | null | undefined, field = 'validationPeriodDays'): number {
  if (value === null || value === undefined) return DEFAULT_VALIDATION_PERIOD_DAYS;
  if (!Number.isInteger(value) || value < 0 || value > MAX_VALIDATION_PERIOD_DAYS) {
    throw badUserInput(field, `must be a whole number of days from 0 to ${MAX_VALIDATION_PERIOD_DAYS}.`);
  }
  return value;
}

export interface CreateMerchantSpec {
  name: string;
  country: string;
  defaultCurrency: string;
  commissionTerms: CommissionTermsSpec;
  validationPeriodDays?: number | null;
  conversionFlow?: ConversionFlowSpec | null;
}

export interface MerchantDraft {
  name: string;
  country: string;
  defaultCurrency: string;
  commissionTerms: CommissionTerms;
  validationPeriodDays: number;
  conversionFlow: ConversionFlow;
}

export function validateCreateMerchant(input: CreateMerchantSpec): MerchantDraft {
  const defaultCurrency = normalizeCurrency(input.defaultCurrency, 'defaultCurrency');
  return {
    name: requiredText(input.name, 'name'),
    country: normalizeCountry(input.country),
    defaultCurrency,
    commissionTerms: resolveCommissionTerms(input.commissionTerms, defaultCurrency),
    validationPeriodDays: validationPeriodDays(input.validationPeriodDays),
    conversionFlow: resolveConversionFlow(input.conversionFlow),
  };
}

export interface UpdateMerchantSpec {
  name?: string | null;
  commissionTerms?: CommissionTermsSpec | null;
  validationPeriodDays?: number | null;
  conversionFlow?: ConversionFlowSpec | null;
  status?: MerchantStatus | null;
}

export type MerchantChanges = Partial<Omit<MerchantDraft, 'country' | 'defaultCurrency'> & { status: MerchantStatus }>;

/** The changes an update asks for (only the fields given), validated for a merchant in `defaultCurrency`. */
export function validateUpdateMerchant(input: UpdateMerchantSpec, defaultCurrency: string): MerchantChanges {
  const changes: MerchantChanges = {};
  const name = optionalText(input.name, 'name');
  if (name !== undefined) changes.name = name;
  if (input.commissionTerms !== null && input.commissionTerms !== undefined) {
    changes.commissionTerms = resolveCommissionTerms(input.commissionTerms, defaultCurrency);
  }
  if (input.validationPeriodDays !== null && input.validationPeriodDays !== undefined) {
    changes.validationPeriodDays = validationPeriodDays(input.validationPeriodDays);
  }
  if (input.conversionFlow !== null && input.conversionFlow !== undefined) {
    changes.conversionFlow = resolveConversionFlow(input.conversionFlow);
  }
  if (input.status !== null && input.status !== undefined) {
    if (!Object.values(MerchantStatus).includes(input.status)) {
      throw badUserInput('status', `must be one of ${Object.values(MerchantStatus).join(', ')}.`);
    }
    changes.status = input.status;
  }
  return changes;
}
