// Passwords (argon2id through @node-rs/argon2: m = 19 MiB, t = 2, p = 1, OWASP's minimum), emails
// and the random tokens of invitations and portal sessions (only their SHA-256 is stored).
import { hash, verify } from '@node-rs/argon2';
import { badUserInput } from '@handoff/shared';
import { createHash, randomBytes } from 'node:crypto';
import { weakPassword } from './merchant-user.errors.js';

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 200;

// @node-rs/argon2's Algorithm.Argon2id (a const enum, which isolated modules cannot read).
const ARGON2ID = 2;
const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function checkPassword(password: unknown): string {
  if (typeof password !== 'string') throw weakPassword('password: a string of at least 10 characters is required.');
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) throw weakPassword(`password: at least ${MIN_PASSWORD_LENGTH} characters are required.`);
  if (length > MAX_PASSWORD_LENGTH) throw weakPassword(`password: at most ${MAX_PASSWORD_LENGTH} characters.`);
  return password;
}

export const hashPassword = (password: string): Promise<string> => hash(password, ARGON2_OPTIONS as never);

/** False (never a throw) for a malformed stored hash. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// What a login for an unknown email verifies against, so it costs what a known one does.
let dummyHash: Promise<string> | undefined;
export const dummyPasswordHash = (): Promise<string> => (dummyHash ??= hashPassword(randomBytes(18).toString('base64url')));

const EMAIL = /^[^\s@<>"'`()\\,;:]+@[^\s@<>"'`()\\,;:]+\.[^\s@<>"'`()\\,;:]+$/;

/** Trimmed and lower-cased; BAD_USER_INPUT naming `field` when it is not an email. */
export function normalEmail(value: unknown, field = 'email'): string {
  if (typeof value !== 'string') throw badUserInput(field, 'an email address is required.');
  const email = value.trim().toLowerCase();
  if (email.length < 3 || email.length > 254 || !EMAIL.test(email)) throw badUserInput(field, 'must be an email address.');
  return email;
}

/** A login's email as given (no format check: a wrong one is just a failed login). */
export const loginEmail = (value: unknown): string => (typeof value === 'string' ? value.trim().toLowerCase().slice(0, 254) : '');

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

/** A portal session's cookie value. */
export const newSessionToken = (): string => `hps_${randomBytes(32).toString('base64url')}`;
/** An invitation link's token. */
export const newInvitationToken = (): string => `hpi_${randomBytes(32).toString('base64url')}`;

/** A token hash as the gateway sends it: 64 hex characters. */
export const isTokenHash = (value: string): boolean => /^[0-9a-f]{64}$/.test(value);
