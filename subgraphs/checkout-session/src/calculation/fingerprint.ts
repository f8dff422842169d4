// The calculation's fingerprint: SHA-256 of the canonical JSON of its input (object keys sorted,
// undefined left out), with the HTTP providers' signing secrets removed, so equal inputs give
// equal fingerprints and a stored snapshot never holds a secret.
import { createHash } from 'node:crypto';
import type { CalculationInput } from './calculation.types.js';

/** JSON with object keys in code-point order at every depth; `undefined` members are left out. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError('canonicalJson: non-finite number');
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const keys = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** The input as stored and hashed: the providers' signing secrets replaced by whether one is set. */
export function redactedInput(input: CalculationInput): CalculationInput {
  const providers = input.config.providers;
  const redact = <T extends { signingSecret: string | null }>(p: T): T => ({ ...p, signingSecret: p.signingSecret ? '[redacted]' : null });
  return {
    ...input,
    config: {
      ...input.config,
      providers: { tax: redact(providers.tax), shipping: redact(providers.shipping), promotions: redact(providers.promotions) },
    },
  };
}

export function fingerprintOf(input: CalculationInput): string {
  return createHash('sha256').update(canonicalJson(redactedInput(input)), 'utf8').digest('hex');
}
