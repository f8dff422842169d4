// Seed 003's terms of a checkout session (owner, channel, cart, capture mode, billing address
// requirement): their checks, their defaults, and how they are stored and read. A session with no
// terms row (one created before them, an agent's checkout) reads as the defaults.
import { badUserInput } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import { optionalText, requiredText } from '../input.js';
import { table } from '../events.js';
import { CheckoutSessionTermsEntity, type CaptureModeValue, type OwnerKind } from './session-terms.entity.js';

export interface OwnerSpec {
  type: OwnerKind;
  id?: string | null;
}

/** What createCheckoutSession and updateCheckoutSession accept (all optional). */
export interface TermsSpec {
  owner?: OwnerSpec | null;
  channel?: string | null;
  cartId?: string | null;
  captureMode?: CaptureModeValue | null;
  requireBillingAddress?: boolean | null;
}

export type SessionTerms = Pick<CheckoutSessionTermsEntity, 'ownerType' | 'ownerId' | 'channel' | 'cartId' | 'captureMode' | 'requireBillingAddress'>;

export const DEFAULT_TERMS: SessionTerms = Object.freeze({
  ownerType: null,
  ownerId: null,
  channel: null,
  cartId: null,
  captureMode: 'AUTOMATIC',
  requireBillingAddress: false,
});

const CHANNEL = /^[a-z0-9][a-z0-9_.-]{0,39}$/;

function owner(value: OwnerSpec | null | undefined, field: string): Pick<SessionTerms, 'ownerType' | 'ownerId'> | undefined {
  if (value === undefined) return undefined;
  if (value === null) return { ownerType: null, ownerId: null };
  if (value.type !== 'USER' && value.type !== 'GUEST') throw badUserInput(`${field}.type`, 'must be USER or GUEST.');
  const id = optionalText(value.id, `${field}.id`, 200) ?? null;
  if (value.type === 'USER' && !id) throw badUserInput(`${field}.id`, 'is required for a USER owner.');
  return { ownerType: value.type, ownerId: id };
}

/** The changes `spec` asks for, checked (fields not given are absent); `prefix` names the input ('input'). */
export function checkTerms(spec: TermsSpec, prefix = 'input'): Partial<SessionTerms> {
  const out: Partial<SessionTerms> = {};
  const o = owner(spec.owner, `${prefix}.owner`);
  if (o) Object.assign(out, o);
  if (spec.channel !== undefined) {
    const channel = spec.channel === null ? null : requiredText(spec.channel, `${prefix}.channel`, 40).toLowerCase();
    if (channel !== null && !CHANNEL.test(channel)) throw badUserInput(`${prefix}.channel`, 'must be 1 to 40 letters, digits, dots, dashes or underscores (web, app, pos, agent).');
    out.channel = channel;
  }
  if (spec.cartId !== undefined) out.cartId = spec.cartId === null ? null : requiredText(spec.cartId, `${prefix}.cartId`, 200);
  if (spec.captureMode !== undefined && spec.captureMode !== null) {
    if (spec.captureMode !== 'AUTOMATIC' && spec.captureMode !== 'MANUAL') throw badUserInput(`${prefix}.captureMode`, 'must be AUTOMATIC or MANUAL.');
    out.captureMode = spec.captureMode;
  }
  if (spec.requireBillingAddress !== undefined && spec.requireBillingAddress !== null) {
    if (typeof spec.requireBillingAddress !== 'boolean') throw badUserInput(`${prefix}.requireBillingAddress`, 'must be a boolean.');
    out.requireBillingAddress = spec.requireBillingAddress;
  }
  return out;
}

/** Writes the session's terms (inserting its row, or changing the given fields), in the caller's transaction. */
export async function writeTerms(manager: EntityManager, checkoutSessionId: string, changes: Partial<SessionTerms>): Promise<void> {
  const t = { ...DEFAULT_TERMS, ...changes };
  const given = Object.keys(changes) as Array<keyof SessionTerms>;
  const column: Record<keyof SessionTerms, string> = {
    ownerType: 'owner_type', ownerId: 'owner_id', channel: 'channel', cartId: 'cart_id', captureMode: 'capture_mode', requireBillingAddress: 'require_billing_address',
  };
  const onConflict = given.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${given.map((k) => `${column[k]} = EXCLUDED.${column[k]}`).join(', ')}`;
  await manager.query(
    `INSERT INTO ${table('checkout_session_terms')} (checkout_session_id, owner_type, owner_id, channel, cart_id, capture_mode, require_billing_address)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (checkout_session_id) ${onConflict}`,
    [checkoutSessionId, t.ownerType, t.ownerId, t.channel, t.cartId, t.captureMode, t.requireBillingAddress],
  );
}

/** Each session's terms row, or null (the defaults apply); in the order of `ids`. */
export async function termsOf(manager: EntityManager, ids: readonly string[]): Promise<Array<CheckoutSessionTermsEntity | null>> {
  const rows = await manager
    .getRepository(CheckoutSessionTermsEntity)
    .createQueryBuilder('t')
    .where('t.checkoutSessionId = ANY(:ids)', { ids: [...ids] })
    .getMany();
  const byId = new Map(rows.map((r) => [r.checkoutSessionId, r]));
  return ids.map((id) => byId.get(id) ?? null);
}

export function termsOrDefault(row: CheckoutSessionTermsEntity | null): SessionTerms & Partial<CheckoutSessionTermsEntity> {
  return row ?? DEFAULT_TERMS;
}
