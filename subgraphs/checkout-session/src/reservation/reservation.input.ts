// Checks of a reservation's arguments: each throws BAD_USER_INPUT naming the field, before anything is read or written.
import { badUserInput, DEFAULT_CHECKOUT_SETTINGS, type CheckoutSettingsConfig } from '@handoff/shared';
import { ALLOCATION_STRATEGIES, DEFAULT_ALLOCATION_STRATEGY, type AllocationStrategy, type LineRequest } from './reservation.model.js';

/** The shortest hold a reservation may ask (the merchant's settings cannot go lower either). */
export const MIN_HOLD_SECONDS = 60;

export function allocationStrategy(value: unknown, field = 'allocationStrategy'): AllocationStrategy {
  if (value === null || value === undefined) return DEFAULT_ALLOCATION_STRATEGY;
  const v = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (!ALLOCATION_STRATEGIES.includes(v as AllocationStrategy)) throw badUserInput(field, `must be one of ${ALLOCATION_STRATEGIES.join(', ')}.`);
  return v as AllocationStrategy;
}

type HoldSettings = Pick<CheckoutSettingsConfig, 'reservationTtlDefaultSeconds' | 'reservationTtlMaxSeconds'>;

/** The hold in seconds: the merchant's default when not given, else MIN_HOLD_SECONDS..the merchant's longest. */
export function holdSeconds(value: unknown, settings: HoldSettings = DEFAULT_CHECKOUT_SETTINGS, field = 'expiresInSeconds'): number {
  if (value === null || value === undefined) return settings.reservationTtlDefaultSeconds;
  const max = settings.reservationTtlMaxSeconds;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_HOLD_SECONDS || value > max) {
    throw badUserInput(field, `must be a whole number of seconds from ${MIN_HOLD_SECONDS} to ${max} (the merchant's longest hold).`);
  }
  return value;
}

export interface ReserveLineInput {
  offerId: string;
  quantity: number;
}

/**
 * The lines to reserve: every line of the session in full, or (`given`) some of its offers, each
 * 1..the session's quantity of it. An offer the session does not have is bad input.
 */
export function linesToReserve(sessionLines: readonly LineRequest[], given: readonly ReserveLineInput[] | null | undefined): LineRequest[] {
  if (given === null || given === undefined) return sessionLines.map((l) => ({ ...l }));
  if (given.length === 0) throw badUserInput('lines', 'must list at least one line (or be omitted to reserve every line).');
  const seen = new Set<string>();
  return given.map((g, i) => {
    const field = `lines[${i}]`;
    if (typeof g.offerId !== 'string' || g.offerId.length === 0 || g.offerId.length > 100) throw badUserInput(`${field}.offerId`, 'is not a valid id.');
    if (seen.has(g.offerId)) throw badUserInput(`${field}.offerId`, 'is listed twice.');
    seen.add(g.offerId);
    const own = sessionLines.filter((l) => l.offerId === g.offerId);
    if (own.length === 0) throw badUserInput(`${field}.offerId`, 'is not an offer of this checkout session.');
    const most = own.reduce((n, l) => n + l.quantity, 0);
    if (!Number.isInteger(g.quantity) || g.quantity < 1 || g.quantity > most) throw badUserInput(`${field}.quantity`, `must be a whole number from 1 to ${most}.`);
    return { position: own[0]!.position, offerId: g.offerId, quantity: g.quantity };
  });
}
