// The inventory provider at the merchant's endpoint (docs/api.md, "Inventory endpoint"): the same
// signed POST, timeout and private-address rules as the tax and shipping endpoints
// (calculation/pricing-endpoint.ts). `inventory.reserve` asks what each line can hold and must
// answer every line once with 0..requested; the allocation strategy is then applied to the answer
// (all_or_nothing / single_location: a short line refuses the whole reservation, and the endpoint
// is told `inventory.release`). When the endpoint fails or answers badly, the merchant's fallback
// applies: BUILT_IN holds Handoff's own stock instead, FAIL is PROVIDER_UNAVAILABLE, nothing held.
// `inventory.release` and `inventory.commit` are told after the fact; a failure there is logged,
// not retried: the endpoint knows each hold's `expires_at` and lets it lapse.
import { ErrorCode, HandoffError, type CheckoutPricingConfig, type Logger, type PricingProviderConfig } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { callPricingEndpoint, ProviderFailure, type EndpointCallOptions, type PricingEndpoint } from '../calculation/pricing-endpoint.js';
import { builtInInventoryProvider, inventoryShortfall, type HeldStock, type InventoryProvider, type ReserveRequest } from './inventory.provider.js';
import { isShort, type LineAllocation } from './reservation.model.js';

const answerSchema = z.strictObject({
  lines: z.array(z.strictObject({ id: z.string().min(1).max(200), reserved: z.number().int().min(0).max(1_000_000_000) })).max(500),
});

const lineId = (position: number) => `line_${position}`;

export function reserveRequestBody(req: ReserveRequest) {
  return {
    type: 'inventory.reserve',
    merchant_id: req.merchantId,
    reservation_id: req.reservationId,
    checkout_id: req.checkoutSessionId,
    allocation_strategy: req.strategy,
    expires_at: req.expiresAt.toISOString(),
    locations: req.locations,
    lines: req.lines.filter((l) => l.offerId !== null).map((l) => ({ id: lineId(l.position), offer_id: l.offerId, quantity: l.quantity })),
  };
}

/** Each line's hold from the endpoint's answer, or a ProviderFailure naming what is wrong with it. */
export function readReserveAnswer(req: ReserveRequest, json: unknown): LineAllocation[] {
  const parsed = answerSchema.safeParse(json);
  const bad = (why: string) => new ProviderFailure('inventory', `invalid answer: ${why}`);
  if (!parsed.success) throw bad(parsed.error.issues[0] ? `${parsed.error.issues[0].path.join('.') || 'body'} ${parsed.error.issues[0].message}` : 'shape');
  const byId = new Map(parsed.data.lines.map((l) => [l.id, l.reserved]));
  if (byId.size !== parsed.data.lines.length) throw bad('a line is answered twice');
  const asked = req.lines.filter((l) => l.offerId !== null);
  if (asked.length !== byId.size || asked.some((l) => !byId.has(lineId(l.position)))) throw bad('lines do not match the request');
  return req.lines.map((l) => {
    if (l.offerId === null) return { position: l.position, offerId: null, requested: l.quantity, reserved: l.quantity, tracked: false, allocations: [] };
    const reserved = byId.get(lineId(l.position))!;
    if (reserved > l.quantity) throw bad(`${lineId(l.position)} holds more than requested`);
    return { position: l.position, offerId: l.offerId, requested: l.quantity, reserved, tracked: true, allocations: reserved > 0 ? [{ locationId: 'merchant', quantity: reserved }] : [] };
  });
}

export class HttpInventoryProvider implements InventoryProvider {
  readonly kind = 'HTTP' as const;
  constructor(
    private readonly endpoint: PricingEndpoint,
    private readonly fallback: 'BUILT_IN' | 'FAIL',
    private readonly opts: EndpointCallOptions,
    private readonly logger?: Logger,
  ) {}

  async reserve(manager: EntityManager, req: ReserveRequest): Promise<{ lines: LineAllocation[]; heldBy: 'BUILT_IN' | 'HTTP' }> {
    let lines: LineAllocation[];
    try {
      lines = readReserveAnswer(req, await callPricingEndpoint('inventory', this.endpoint, reserveRequestBody(req), this.opts));
    } catch (err) {
      if (!(err instanceof ProviderFailure)) throw err;
      this.logger?.warn({ reason: err.message, merchantId: req.merchantId }, 'inventory endpoint failed: its fallback applies');
      if (this.fallback === 'BUILT_IN') return builtInInventoryProvider.reserve(manager, req);
      throw new HandoffError(ErrorCode.PROVIDER_UNAVAILABLE, "The merchant's inventory endpoint did not answer; nothing is held. Retry later.", { reason: 'provider:inventory' });
    }
    const tracked = lines.filter((l) => l.tracked);
    const refused = req.strategy === 'best_fit' ? tracked.length > 0 && tracked.every((l) => l.reserved === 0) : tracked.some(isShort);
    if (refused) {
      await this.tell('inventory.release', { merchantId: req.merchantId, reservationId: req.reservationId, lines });
      throw inventoryShortfall(lines);
    }
    return { lines, heldBy: 'HTTP' };
  }

  release(_manager: EntityManager, held: HeldStock): Promise<void> {
    return this.tell('inventory.release', held);
  }

  commit(_manager: EntityManager, held: HeldStock): Promise<void> {
    return this.tell('inventory.commit', held);
  }

  private async tell(type: 'inventory.release' | 'inventory.commit', held: HeldStock): Promise<void> {
    const body = {
      type,
      merchant_id: held.merchantId,
      reservation_id: held.reservationId,
      lines: held.lines.filter((l) => l.tracked && l.reserved > 0).map((l) => ({ id: lineId(l.position), offer_id: l.offerId, quantity: l.reserved })),
    };
    try {
      await callPricingEndpoint('inventory', this.endpoint, body, this.opts);
    } catch (err) {
      if (!(err instanceof ProviderFailure)) throw err;
      this.logger?.warn({ reason: err.message, reservationId: held.reservationId, type }, 'inventory endpoint not told: its hold lapses at expires_at');
    }
  }
}

/** The merchant's HTTP inventory provider, or null for BUILT_IN (the factory of inventory.providers.ts). */
export function httpInventoryProvider(logger?: Logger) {
  return (config: CheckoutPricingConfig, opts: EndpointCallOptions): InventoryProvider | null => {
    const p: PricingProviderConfig | undefined = config.providers.inventory;
    if (!p || p.kind !== 'HTTP') return null;
    const endpoint = p.endpointUrl && p.signingSecret ? { url: p.endpointUrl, secret: p.signingSecret, timeoutMs: p.timeoutMs ?? 5000 } : { url: 'invalid:', secret: '', timeoutMs: 1 };
    return new HttpInventoryProvider(endpoint, p.fallback ?? 'FAIL', opts, logger);
  };
}
