// Reading a request to the sandbox's API: the key it carries, and its JSON body's fields, each
// refused with Stripe's error shape (400 invalid_request_error naming the parameter).
import type { Request } from 'express';
import { invalidParameter, SandboxError } from '../errors.js';

/** The Bearer key of the request (Stripe also takes it as Basic auth's user name). */
export function bearerKey(req: Request): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const [scheme, value] = header.split(' ', 2);
  if (scheme?.toLowerCase() === 'bearer' && value) return value.trim();
  if (scheme?.toLowerCase() === 'basic' && value) return Buffer.from(value, 'base64').toString('utf8').split(':')[0] ?? null;
  return null;
}

export const noKey = () =>
  new SandboxError(401, 'invalid_request_error', 'api_key_missing', 'You did not provide an API key. Provide it as "Authorization: Bearer <secret key>".');

export const badKey = (key: string) =>
  new SandboxError(401, 'invalid_request_error', 'api_key_invalid', `Invalid API Key provided: ${key.slice(0, 8)}****${key.slice(-4)}`);

export function body(req: Request): Record<string, unknown> {
  const b: unknown = req.body;
  if (b === undefined || b === null) return {};
  if (typeof b !== 'object' || Array.isArray(b)) throw invalidParameter('body', 'must be a JSON object.');
  return b as Record<string, unknown>;
}

export function int(b: Record<string, unknown>, name: string, required: true): number;
export function int(b: Record<string, unknown>, name: string, required: false): number | null;
export function int(b: Record<string, unknown>, name: string, required: boolean): number | null {
  const v = b[name];
  if (v === undefined || v === null) {
    if (required) throw invalidParameter(name, `Missing required param: ${name}.`, 'parameter_missing');
    return null;
  }
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw invalidParameter(name, `Invalid integer: ${name}.`);
  return v;
}

export function str(b: Record<string, unknown>, name: string, required: true, max?: number): string;
export function str(b: Record<string, unknown>, name: string, required: false, max?: number): string | null;
export function str(b: Record<string, unknown>, name: string, required: boolean, max = 5000): string | null {
  const v = b[name];
  if (v === undefined || v === null) {
    if (required) throw invalidParameter(name, `Missing required param: ${name}.`, 'parameter_missing');
    return null;
  }
  if (typeof v !== 'string' || v.length > max) throw invalidParameter(name, `Invalid string: ${name}.`);
  return v;
}

export function stringMap(b: Record<string, unknown>, name: string): Record<string, string> {
  const v = b[name];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidParameter(name, `Invalid object: ${name}.`);
  for (const value of Object.values(v)) if (typeof value !== 'string') throw invalidParameter(name, `Invalid object: ${name} values are strings.`);
  return v as Record<string, string>;
}

/** The Idempotency-Key header (at most 255 characters, as Stripe's). */
export function idempotencyKey(req: Request): string | null {
  const k = req.headers['idempotency-key'];
  const key = Array.isArray(k) ? k[0] : k;
  if (key === undefined || key === '') return null;
  if (key.length > 255) throw invalidParameter('Idempotency-Key', 'must be at most 255 characters.');
  return key;
}
