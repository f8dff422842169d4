// The one way the buyer-facing mutations change a checkout session (customer, addresses,
// shipping, promotions, shipment plan, calculation):
//   read the session through the caller's scope → it must be OPEN (and not past expiry) and at
//   `expectedVersion` when one is given → `prepare` works out the change (it may call the
//   merchant's pricing, so it runs outside any transaction; it throws on bad input, and then
//   nothing is written) → one transaction: `prepare`'s own writes, then the versioned save
//   (saveCheckoutSessionVersioned: `WHERE version = <read version>`, version + 1). `prepare`
//   answering null means there is nothing to change: the session is returned as it is.
// A concurrent change between the read and the save is a VERSION_CONFLICT when the caller gave
// `expectedVersion`; without one the change is worked out again on the new state (3 tries).
// With an idempotency key (the Idempotency-Key header the gateway passes on), the save and the
// stored answer are one transaction (IdempotencyStore.prepared): a retry with the key answers the
// session (as it is now) without changing it twice.
// Every change writes one `webhook_event.checkout.updated` outbox row in its transaction (the
// session before and after: checkout.webhook-event.ts), its audit row and its timeline entries,
// in one statement; the relay is told after the commit. A recalculation that moved nothing but
// the calculation id (same totals, already fresh: onlyRecalculated) is no change merchants see:
// it writes its `checkout.calculated` timeline entry only (no webhook event, no audit row).
import {
  ErrorCode,
  HandoffError,
  invalidStateTransition,
  versionConflict,
  type IdempotencyCodec,
  type IdempotencyStore,
  type Principal,
  type RecordIn,
} from '@handoff/shared';
import type { DataSource, EntityManager } from 'typeorm';
import { scopeCheckoutSessions } from '../checkout-session/checkout-session.access.js';
import { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSessionStatus } from '../checkout-session/checkout-session.enums.js';
import { checkoutSessionNotFound } from '../checkout-session/checkout-session.errors.js';
import { effectiveStatus } from '../checkout-session/checkout-session.states.js';
import { saveCheckoutSessionVersioned } from '../checkout-session/checkout-session.transition.js';
import { readSessionWithLines, type SessionWithLines } from '../checkout-session/session-read.js';
import { checkoutWebhookEvent, checkoutWebhookObject, onlyRecalculated } from '../checkout-session/checkout.webhook-event.js';
import { checkoutAudit } from '../checkout-session/checkout.audit.js';
import { changeEntries } from '../timeline/timeline.entries.js';
import { recordCheckoutChange } from '../timeline/timeline.record.js';
import { noopNotifier, type OutboxNotifier } from '../events.js';

export type SessionChanges = Parameters<typeof saveCheckoutSessionVersioned>[2];

export interface PreparedChange {
  changes: SessionChanges;
  /** Writes that belong with the change, in its transaction, before the session is saved. */
  write?: (manager: EntityManager) => Promise<SessionChanges | void>;
}

/** A change made with an idempotency key: the mutation's name and its arguments (hashed with the key). */
export interface IdempotentChange {
  key: string | undefined;
  operation: string;
  input: unknown;
}

/** A change stores the session's id; a retry answers the session as it is now (as createCheckoutSession's). */
export const changedSessionCodec: IdempotencyCodec<CheckoutSessionEntity> = {
  toStored: (cs) => ({ id: cs.id }),
  fromStored: (stored: { id: string }, manager) => manager.findOneByOrFail(CheckoutSessionEntity, { id: stored.id }),
};

const ATTEMPTS = 3;

/** Who may fill in a session: its merchant, an admin, the agent whose checkout made it, its hosted page (client secret). */
export const BUYER_SURFACE_KINDS = ['MERCHANT', 'ADMIN', 'AGENT', 'CLIENT'] as const;

export const checkoutSessionExpired = (id: string) =>
  new HandoffError(ErrorCode.CHECKOUT_SESSION_EXPIRED, `Checkout session ${id} has expired.`, { reason: 'checkout_session:EXPIRED' });

/** The session can still be filled in: OPEN and not past its expiry. */
export function assertBuyerCanChange(cs: CheckoutSessionEntity): void {
  const status = effectiveStatus(cs);
  if (status === CheckoutSessionStatus.EXPIRED) throw checkoutSessionExpired(cs.id);
  if (status !== CheckoutSessionStatus.OPEN) {
    throw invalidStateTransition(`Checkout session ${cs.id} is ${status}: it can no longer be changed.`, `checkout_session:${status}`);
  }
}

/** A change's expectedVersion: null (none) or a positive integer, else BAD_USER_INPUT. */
export function checkedExpectedVersion(expectedVersion: number | null | undefined): number | null {
  const expected = expectedVersion ?? null;
  if (expected !== null && (!Number.isSafeInteger(expected) || expected < 1)) {
    throw new HandoffError(ErrorCode.BAD_USER_INPUT, 'expectedVersion: must be a positive integer.', { field: 'expectedVersion' });
  }
  return expected;
}

export class SessionChanger {
  constructor(
    private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyStore,
    private readonly outbox: OutboxNotifier = noopNotifier,
  ) {}

  /** The session as `principal` may see it, or CHECKOUT_SESSION_NOT_FOUND. */
  async load(principal: Principal, id: string, manager: EntityManager = this.dataSource.manager): Promise<CheckoutSessionEntity> {
    const qb = manager.getRepository(CheckoutSessionEntity).createQueryBuilder('cs').where('cs.id = :id', { id });
    scopeCheckoutSessions(qb, 'cs', principal);
    const cs = await qb.getOne();
    if (!cs) throw checkoutSessionNotFound(id);
    return cs;
  }

  /** The session as `principal` may see it with its lines, in one statement (session-read.ts), or CHECKOUT_SESSION_NOT_FOUND. */
  async loadWithLines(principal: Principal, id: string): Promise<SessionWithLines> {
    const read = await readSessionWithLines(this.dataSource.manager, principal, id);
    if (!read) throw checkoutSessionNotFound(id);
    return read;
  }

  /** For a change written by one statement of its own (session-calculation/recalculation.ts). */
  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  async change(
    principal: Principal,
    id: string,
    expectedVersion: number | null | undefined,
    prepare: (cs: CheckoutSessionEntity) => Promise<PreparedChange | null> | PreparedChange | null,
    idempotent?: IdempotentChange,
  ): Promise<CheckoutSessionEntity> {
    const expected = checkedExpectedVersion(expectedVersion);
    return this.idempotently(principal, id, { ...idempotent, input: { expectedVersion: expected, input: idempotent?.input } }, (record) =>
      this.changeOnce(principal, id, expected, prepare, record),
    );
  }

  /**
   * Runs a command on session `id` that writes through `record` inside its transaction (a change,
   * or cancelCheckoutSession's own) under the idempotency key, when there is one.
   */
  idempotently(
    principal: Principal,
    id: string,
    idempotent: Partial<IdempotentChange> | undefined,
    work: (record: RecordIn<CheckoutSessionEntity>) => Promise<CheckoutSessionEntity>,
  ): Promise<CheckoutSessionEntity> {
    if (!idempotent?.key || !idempotent.operation) return work((_manager, exec) => exec());
    return this.idempotency.prepared(
      { principal, key: idempotent.key, operation: idempotent.operation, input: { id, input: idempotent.input } },
      changedSessionCodec,
      work,
    );
  }

  private async changeOnce(
    principal: Principal,
    id: string,
    expected: number | null,
    prepare: (cs: CheckoutSessionEntity) => Promise<PreparedChange | null> | PreparedChange | null,
    record: RecordIn<CheckoutSessionEntity>,
  ): Promise<CheckoutSessionEntity> {
    for (let attempt = 1; ; attempt++) {
      let announced = false;
      const cs = await this.load(principal, id);
      if (expected !== null && expected !== cs.version) throw versionConflict(expected, cs.version);
      assertBuyerCanChange(cs);
      const prepared = await prepare(cs);
      if (prepared === null) return cs; // nothing to change (e.g. a code already applied): no write, no new version
      try {
        const saved = await this.dataSource.transaction((manager) =>
          record(manager, async () => {
            const before = checkoutWebhookObject(cs); // `write` and the save change `cs` in place
            const more = prepared.write ? await prepared.write(manager) : undefined;
            const after = await saveCheckoutSessionVersioned(manager, cs, { ...prepared.changes, ...(more ?? {}) });
            // Its webhook event, audit row and timeline entries (what changed: timeline.entries.ts), in one statement;
            // a recalculation that changed nothing merchants see but its calculation id keeps only its timeline entry.
            const afterObject = checkoutWebhookObject(after);
            const events = onlyRecalculated(before, afterObject)
              ? []
              : [checkoutWebhookEvent('checkout.updated', after, before), ...checkoutAudit('updated', after, before, afterObject)];
            await recordCheckoutChange(manager, events, changeEntries(after, before, afterObject));
            announced = events.length > 0;
            return after;
          }),
        );
        if (announced) this.outbox.notify();
        return saved;
      } catch (err) {
        const conflict = err instanceof HandoffError && err.code === ErrorCode.VERSION_CONFLICT;
        if (!conflict || expected !== null || attempt >= ATTEMPTS) throw err;
      }
    }
  }
}
