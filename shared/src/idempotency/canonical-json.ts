// A canonical JSON form, so that two requests with the same meaning hash the same whatever the
// order of their object keys.
import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted recursively (by code unit, at every depth). Follows
 * JSON.stringify otherwise: `toJSON` is honoured (Dates), undefined/functions/symbols are left out
 * of objects and become null in arrays, non-finite numbers become null; bigints become strings.
 */
export function canonicalJson(value: unknown): string {
  return write(value) ?? 'null';
}

/** sha256 (hex) of the canonical JSON of `{ operation, input }`. */
export function requestHash(operation: string, input: unknown): string {
  return createHash('sha256').update(canonicalJson({ operation, input })).digest('hex');
}

function write(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  const obj = value as { toJSON?: () => unknown } & Record<string, unknown>;
  if (typeof obj.toJSON === 'function') return write(obj.toJSON());
  if (Array.isArray(value)) return `[${value.map((v) => write(v) ?? 'null').join(',')}]`;
  const parts: string[] = [];
  for (const key of Object.keys(obj).sort()) {
    const v = write(obj[key]);
    if (v !== undefined) parts.push(`${JSON.stringify(key)}:${v}`);
  }
  return `{${parts.join(',')}}`;
}
