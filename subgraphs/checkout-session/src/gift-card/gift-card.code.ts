// A gift card's code: 16 characters of Crockford base32 (80 random bits), shown once as
// XXXX-XXXX-XXXX-XXXX. Only its SHA-256 is stored (80 bits cannot be guessed, so no salt or slow
// hash is needed), with its last 4 characters for people to tell cards apart. A code typed back
// is normalised (case, spaces, dashes, the letters Crockford reads as digits) before hashing.
// A card issued under an idempotency key has a code derived from the key (HMAC with the package's
// secret), so a retry with the key answers the same code without the code ever being stored.
import { badUserInput } from '@handoff/shared';
import { createHash, createHmac, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_LENGTH = 16;
/** Longer input is refused as bad input; anything shorter that is not a card is GIFT_CARD_NOT_FOUND. */
export const MAX_CODE_INPUT = 64;

function encode(bytes: Buffer): string {
  let out = '';
  for (let i = 0; i < CODE_LENGTH; i++) out += ALPHABET[bytes[i]! & 31];
  return out;
}

/** A new code: random, or derived from `seed` (an idempotency key's scope and key) with `secret`. */
export function newGiftCardCode(secret?: string, seed?: string): string {
  const bytes = seed && secret ? createHmac('sha256', secret).update(`gift-card-code\n${seed}`).digest() : randomBytes(CODE_LENGTH);
  return encode(bytes);
}

/** XXXX-XXXX-XXXX-XXXX. */
export const displayCode = (code: string): string => code.match(/.{1,4}/g)!.join('-');

/** The code as stored and compared: upper case, no separators, O→0, I/L→1. BAD_USER_INPUT when it cannot be a code at all. */
export function normalizeGiftCardCode(value: unknown, field = 'code'): string {
  if (typeof value !== 'string' || value.trim() === '') throw badUserInput(field, 'is required.');
  if (value.length > MAX_CODE_INPUT) throw badUserInput(field, `must be at most ${MAX_CODE_INPUT} characters.`);
  return value.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

export const hashGiftCardCode = (normalized: string): string => createHash('sha256').update(normalized).digest('hex');
export const last4Of = (normalized: string): string => normalized.slice(-4).padStart(4, '0');
