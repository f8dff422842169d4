// How one command on a payment intent runs (confirm, 3-D Secure, capture, cancel, attach a
// method): the intent visible to the caller is loaded under a row lock, the body runs with its
// merchant's connector in one transaction, the commit is announced, then a decline
// (PAYMENT_DECLINED) or the body's refusal is thrown, each recorded and committed first.
// With an idempotency key (issue 20 item 7) the body runs under the key in the same transaction
// (the shared IdempotencyStore's `prepared`): the answer stored is the intent and the outcome, so
// a retry with the key answers as the first request did (the same intent, or the same decline)
// without a second PSP call; the same key with another body is IDEMPOTENCY_KEY_REUSED.
// The PSP calls of a command carry keys of their own (`pspKey`), named by the intent, its version
// when the command locked it and the call: a command whose transaction rolled back after the PSP
// acted (its answer came too late) leaves the version as it was, so its retry (with or without
// the caller's key) sends the same key and records the PSP's stored answer; once a command
// commits, the version moves on and the next command's calls are new requests to the PSP.
import { ErrorCode, HandoffError, type IdempotencyCodec, type IdempotencyStore, type Principal, type RecordIn } from '@handoff/shared';
import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { PspRequestRejected, type PspConnector } from '../psp/connector.js';
import type { Connectors } from '../psp/connectors.js';
import type { CredentialsSource } from '../psp/merchant-credentials.js';
import { findVisiblePaymentIntent } from './payment-intent.access.js';
import { PaymentIntentEntity } from './payment-intent.entity.js';
import { PaymentIntentStatus as S } from './payment-intent.enums.js';
import { cannotFromStatus, noPaymentConnector, paymentDeclined, paymentIntentNotFound, pspRequestFailed } from './payment-intent.errors.js';

/** What a command's body answers: nothing, the PSP's decline, or a refusal to throw once its record is committed. */
export type CommandOutcome = { code: string; declineCode: string | null; message: string } | HandoffError | null;

export interface CommandHooks {
  /** After a commit that wrote outbox rows. */
  committed(intent?: PaymentIntentEntity): void;
  /**
   * After a commit that moved the intent to SUCCEEDED (it was not before the command), before the
   * command answers: its checkout session is told (ports/checkout-payment.port.ts). Never throws.
   */
  succeeded?(intent: PaymentIntentEntity): Promise<void>;
}

export interface CommandRunDeps {
  dataSource: DataSource;
  credentials: CredentialsSource;
  connectors: Connectors;
  hooks: CommandHooks;
  /** Without it, idempotency keys are refused (tests that build commands bare). */
  idempotency?: IdempotencyStore;
}

/** The idempotency of one command: the caller's key and what names the request (operation and input). */
export interface CommandKey {
  key: string | undefined;
  operation: string;
  input: Record<string, unknown>;
  /** Whose key it is (the idempotency scope) when not the command's principal (a delegated payment runs as a service for an agent). */
  principal?: Principal;
}

/** The PSP idempotency key of one of the command's calls (`call` names it; `parts` tell apart several of its kind). */
export type PspKey = (call: string, ...parts: string[]) => string;

export type CommandBody = (manager: EntityManager, intent: PaymentIntentEntity, connector: PspConnector, pspKey: PspKey) => Promise<CommandOutcome>;

/** The PSP idempotency key of a call made by a command on the intent at `version` (hashed: ids are opaque, parts may be card numbers). */
export function commandPspKey(intentId: string, version: number, call: string, ...parts: string[]): string {
  return `handoff-${call}-${createHash('sha256').update([intentId, String(version), call, ...parts].join('\0')).digest('hex').slice(0, 40)}`;
}

interface Ran {
  intent: PaymentIntentEntity;
  outcome: CommandOutcome;
}

type StoredOutcome = { decline: { code: string; declineCode: string | null; message: string } } | { refusal: { code: string; message: string; extensions: Record<string, unknown> } } | null;

const ranCodec: IdempotencyCodec<Ran> = {
  toStored: ({ intent, outcome }) => ({ id: intent.id, outcome: storedOutcome(outcome) }),
  fromStored: async (stored: { id: string; outcome: StoredOutcome }, manager) => ({
    intent: await manager.findOneByOrFail(PaymentIntentEntity, { id: stored.id }),
    outcome: outcomeOf(stored.outcome),
  }),
};

function storedOutcome(outcome: CommandOutcome): StoredOutcome {
  if (!outcome) return null;
  if (outcome instanceof HandoffError) {
    const { code: _code, ...extensions } = outcome.extensions as Record<string, unknown>;
    return { refusal: { code: outcome.code, message: outcome.message, extensions } };
  }
  return { decline: { code: outcome.code, declineCode: outcome.declineCode, message: outcome.message } };
}

function outcomeOf(stored: StoredOutcome): CommandOutcome {
  if (!stored) return null;
  if ('refusal' in stored) return new HandoffError(stored.refusal.code as ErrorCode, stored.refusal.message, stored.refusal.extensions);
  return stored.decline;
}

export async function runIntentCommand(
  deps: CommandRunDeps,
  principal: Principal,
  id: string,
  action: string,
  body: CommandBody,
  key?: CommandKey,
): Promise<PaymentIntentEntity> {
  const peek = await findVisiblePaymentIntent(deps.dataSource.manager, principal, id);
  if (!peek) throw paymentIntentNotFound(id);
  if (!peek.providerPaymentId) throw cannotFromStatus(action, peek.status);
  const credentials = await deps.credentials.get(peek.merchantId);
  if (!credentials || credentials.provider !== peek.provider) throw noPaymentConnector(peek.merchantId);
  const connector = deps.connectors.for(credentials);
  const attempt = (record: RecordIn<Ran>) =>
    deps.dataSource.transaction((manager) =>
      record(manager, async () => {
        const locked = await manager.findOne(PaymentIntentEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
        if (!locked) throw paymentIntentNotFound(id);
        const version = locked.version;
        const pspKey: PspKey = (call, ...parts) => commandPspKey(locked.id, version, call, ...parts);
        return { intent: locked, outcome: await body(manager, locked, connector, pspKey) };
      }),
    );
  let ran: Ran;
  if (key?.key !== undefined && deps.idempotency) {
    ran = await deps.idempotency.prepared({ principal: key.principal ?? principal, key: key.key, operation: key.operation, input: { id, ...key.input } }, ranCodec, attempt);
  } else {
    ran = await attempt((_manager, exec) => exec());
  }
  deps.hooks.committed(ran.intent);
  if (ran.intent.status === S.SUCCEEDED && peek.status !== S.SUCCEEDED) await deps.hooks.succeeded?.(ran.intent);
  const { outcome } = ran;
  if (outcome instanceof HandoffError) throw outcome;
  if (outcome) throw paymentDeclined(outcome.declineCode ?? outcome.code, outcome.message);
  return ran.intent;
}

/** A PSP call whose refusal (not a decline) is INVALID_STATE_TRANSITION (psp_rejected). */
export async function pspCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof PspRequestRejected) throw pspRequestFailed(err.message);
    throw err;
  }
}
