// The calculation's fingerprint: SHA-256 of the canonical JSON of its input (object keys sorted,
// undefined left out), with the HTTP providers' signing secrets removed, so equal inputs give
// equal fingerprints and a stored snapshot never holds a secret. The merchant's configuration is
// most of an input and, kept between calculations (ports/merchant-pricing.cache.ts), frozen and
// the same object each time: its redacted copy and both its JSON texts are worked out once per
// frozen configuration (by identity), not per calculation.
import { createHash } from 'node:crypto';
import type { CalculationInput } from './calculation.types.js';

/**
 * JSON with object keys in code-point order at every depth; `undefined` members are left out.
 * `known` may give the canonical text of an object already worked out (the same text).
 */
export function canonicalJson(value: unknown, known?: (v: object) => string | undefined): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError('canonicalJson: non-finite number');
    return JSON.stringify(value) ?? 'null';
  }
  const done = known?.(value);
  if (done !== undefined) return done;
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v, known))).join(',')}]`;
  const keys = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k], known)}`).join(',')}}`;
}

type Config = CalculationInput['config'];
interface RedactedConfig {
  config: Config;
  canonical?: string;
  json?: string;
}
const redactedConfigs = new WeakMap<Config, RedactedConfig>();

function redactConfig(config: Config): Config {
  const providers = config.providers;
  const redact = <T extends { signingSecret: string | null }>(p: T): T => ({ ...p, signingSecret: p.signingSecret ? '[redacted]' : null });
  return { ...config, providers: { tax: redact(providers.tax), shipping: redact(providers.shipping), promotions: redact(providers.promotions) } };
}

/** The configuration with its providers' secrets redacted; kept with a frozen configuration. */
function redacted(config: Config): RedactedConfig {
  if (!Object.isFrozen(config)) return { config: redactConfig(config) };
  let r = redactedConfigs.get(config);
  if (!r) {
    r = { config: redactConfig(config) };
    redactedConfigs.set(config, r);
  }
  return r;
}

/** The input as stored and hashed: the providers' signing secrets replaced by whether one is set. */
export function redactedInput(input: CalculationInput): CalculationInput {
  return { ...input, config: redacted(input.config).config };
}

/** JSON.stringify(redactedInput(input)), the configuration's part written once per frozen configuration. */
export function redactedInputJson(input: CalculationInput): string {
  const r = redacted(input.config);
  const config = (r.json ??= JSON.stringify(r.config));
  const rest = JSON.stringify({ ...input, config: undefined });
  return rest === '{}' ? `{"config":${config}}` : `{"config":${config},${rest.slice(1)}`;
}

export function fingerprintOf(input: CalculationInput): string {
  const r = redacted(input.config);
  const known = (v: object) => (v === r.config ? (r.canonical ??= canonicalJson(r.config)) : undefined);
  return createHash('sha256').update(canonicalJson({ ...input, config: r.config }, known), 'utf8').digest('hex');
}
