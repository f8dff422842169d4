// A merchant's own payment intents (seed 003 §6, issue 20 item 2): POST …/payment-intents.
//   - standalone (no checkout session): a new intent for the amount asked, at the merchant's PSP;
//   - for a checkout session: the session's intent (checkout-session creates one per session when
//     it opens it), whose amount must be what the session charges (session-amount.ts); the
//     merchant may choose its capture mode here, which then stands (capture_mode_pinned) whatever
//     the session's own; a stale calculation is still refused when it is confirmed
//     (checkout-binding.ts).
// attachPaymentMethod keeps a `pm_…` token on an intent waiting for one (REQUIRES_CONFIRMATION):
// confirm without a method then pays with it. Both take an idempotency key (IdempotencyStore).
// Instalment methods (klarna, afterpay_clearpay, affirm) are accepted only for a merchant whose
// `installments` capability is on: else CAPABILITY_DISABLED (reason capability:installments),
// nothing created.
import { badUserInput, ErrorCode, HandoffError, INSTALLMENT_PAYMENT_METHODS, money, normalizeCurrency, PAYMENT_METHOD_TYPES, refuseBidiControls, type IdempotencyCodec, type IdempotencyStore, type Principal } from '@handoff/shared';
import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import type { DataSource } from 'typeorm';
import type { CheckoutRiskSignalsSource } from '../ports/checkout-session.port.js';
import type { Connectors } from '../psp/connectors.js';
import type { CredentialsSource } from '../psp/merchant-credentials.js';
import { rebindToCheckout } from './checkout-binding.js';
import { insertAnnounced } from './payment-intent.changes.js';
import { pspCall, runIntentCommand, type CommandRunDeps } from './payment-intent.command-run.js';
import { CHECKOUT_METADATA_KEY } from './payment-intent.commands.js';
import { PaymentIntentEntity } from './payment-intent.entity.js';
import { CaptureMode, PaymentIntentStatus as S } from './payment-intent.enums.js';
import { cannotFromStatus, noPaymentConnector } from './payment-intent.errors.js';
import { transition } from './payment-intent.changes.js';
import { assertSessionAmount } from './session-amount.js';

export interface CreatePaymentIntentSpec {
  /** An admin names the merchant; a merchant's key is its own. */
  merchantId?: string | null;
  checkoutSessionId?: string | null;
  amountMinor: number;
  currency: string;
  captureMode?: CaptureMode | null;
  paymentMethodTypes?: string[] | null;
  metadata?: Record<string, unknown> | null;
  description?: string | null;
}

const ID = /^[A-Za-z0-9_-]{1,100}$/;
const TOKEN = /^pm_[A-Za-z0-9_]{1,120}$/;
/** What Handoff's PSPs take today: an intent must accept one of them to be paid. */
const PAYABLE_METHODS = ['card'];

const intentCodec: IdempotencyCodec<PaymentIntentEntity> = {
  toStored: (i) => ({ id: i.id }),
  fromStored: (stored: { id: string }, manager) => manager.findOneByOrFail(PaymentIntentEntity, { id: stored.id }),
};

export class PaymentIntentCreation {
  constructor(
    private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyStore,
    private readonly credentials: CredentialsSource,
    private readonly connectors: Connectors,
    private readonly run: CommandRunDeps,
    private readonly sessions: CheckoutRiskSignalsSource,
    /** The merchant's installments capability (merchant subgraph); without it (unit tests) instalment methods are taken. */
    private readonly capabilities?: { installmentsEnabled(merchantId: string): Promise<boolean> },
  ) {}

  /** CAPABILITY_DISABLED when `methods` lists an instalment method the merchant may not take. */
  private async assertInstallmentsAllowed(merchantId: string, methods: string[]): Promise<void> {
    const installments = methods.filter((m) => INSTALLMENT_PAYMENT_METHODS.includes(m as never));
    if (installments.length === 0 || !this.capabilities) return;
    if (!(await this.capabilities.installmentsEnabled(merchantId))) throw installmentsDisabled(installments);
  }

  async create(principal: Principal & { kind: 'MERCHANT' | 'ADMIN' }, spec: CreatePaymentIntentSpec, key: string | undefined): Promise<PaymentIntentEntity> {
    const merchantId = principal.kind === 'MERCHANT' ? principal.merchantId : spec.merchantId;
    if (!merchantId) throw badUserInput('input.merchantId', 'is required for an admin.');
    if (!ID.test(merchantId)) throw badUserInput('input.merchantId', 'must be an id of at most 100 letters, digits, dashes or underscores.');
    if (principal.kind === 'MERCHANT' && spec.merchantId && spec.merchantId !== merchantId) throw merchantNotFound(spec.merchantId);
    const amount = money(spec.amountMinor, normalizeCurrency(spec.currency, 'input.amount.currency'), 'input.amount.amountMinor');
    if (amount.amountMinor < 1) throw badUserInput('input.amount.amountMinor', 'must be at least 1.');
    const methods = paymentMethodTypes(spec.paymentMethodTypes);
    const metadata = merchantMetadata(spec.metadata);
    if (spec.description && spec.description.length > 500) throw badUserInput('input.description', 'must be at most 500 characters.');
    refuseBidiControls(spec.description, 'input.description');
    const captureMode = spec.captureMode ?? null;
    const sessionId = spec.checkoutSessionId ?? null;
    if (sessionId !== null && !ID.test(sessionId)) throw badUserInput('input.checkoutSessionId', 'must be an id of at most 100 letters, digits, dashes or underscores.');
    const credentials = await this.credentials.get(merchantId);
    if (!credentials) throw noPaymentConnector(merchantId);
    await this.assertInstallmentsAllowed(merchantId, methods);
    const connector = this.connectors.for(credentials);
    const opts = { principal, key, operation: 'createPaymentIntent', input: { ...spec, merchantId } };

    if (sessionId === null) {
      const intent = await this.idempotency.run(opts, async (manager) => {
        const id = ulid();
        const psp = await pspCall(() =>
          connector.createPayment(
            { manager },
            { merchantId, amountMinor: amount.amountMinor, currency: amount.currency, captureMode: captureMode ?? CaptureMode.AUTOMATIC, metadata, description: spec.description ?? null, idempotencyKey: standaloneKey(merchantId, key ?? id) },
          ),
        );
        const created = manager.create(PaymentIntentEntity, {
          id, merchantId, checkoutSessionId: null, status: S.REQUIRES_PAYMENT_METHOD, currency: amount.currency, amountMinor: amount.amountMinor,
          amountCapturedMinor: 0, amountRefundedMinor: 0, captureMode: captureMode ?? CaptureMode.AUTOMATIC, captureModePinned: true, paymentMethodTypes: methods,
          provider: credentials.provider, providerPaymentId: psp.providerPaymentId, metadata, description: spec.description ?? null, nextAction: null,
          lastPaymentError: null, paymentMethodId: null, checkoutBinding: false, version: 1, createdAt: new Date(),
        });
        created.updatedAt = created.createdAt;
        await insertAnnounced(manager, created, 'payment_intent.created');
        return created;
      }, intentCodec);
      this.run.hooks.committed(intent);
      return intent;
    }

    // The session's intent: the session must be this merchant's and charge this amount.
    const session = await this.sessions.riskSignals(sessionId);
    if (!session || session.merchantId !== merchantId) throw new HandoffError(ErrorCode.CHECKOUT_SESSION_NOT_FOUND, `Checkout session ${sessionId} was not found.`);
    if (!session.paymentIntentId) throw new HandoffError(ErrorCode.INVALID_STATE_TRANSITION, `Checkout session ${sessionId} has no payment intent (it is ${session.status}).`, { reason: 'checkout_session:no_payment_intent' });
    assertSessionAmount(session, amount);
    const intentId = session.paymentIntentId;
    const intent = await this.idempotency.run(opts, async (manager) => {
      const intent = await manager.findOne(PaymentIntentEntity, { where: { id: intentId, merchantId }, lock: { mode: 'pessimistic_write' } });
      if (!intent) throw new HandoffError(ErrorCode.CHECKOUT_SESSION_NOT_FOUND, `Checkout session ${sessionId} was not found.`);
      const wanted = captureMode ?? intent.captureMode;
      const open = intent.status === S.REQUIRES_PAYMENT_METHOD || intent.status === S.REQUIRES_CONFIRMATION;
      if (!open) {
        if (wanted !== intent.captureMode) throw cannotFromStatus('change its capture mode', intent.status);
        return intent; // already under way: the session's intent as it is
      }
      if (wanted !== intent.captureMode || amount.amountMinor !== intent.amountMinor) {
        // A new PSP payment for the terms (as a calculation's change does before a confirmation).
        await rebindToCheckout(manager, intent, connector, { checkoutSessionId: sessionId, amountMinor: amount.amountMinor, currency: amount.currency, captureMode: wanted, calculationId: null, aapCode: null });
      }
      const merged = { ...intent.metadata, ...metadata, [CHECKOUT_METADATA_KEY]: sessionId };
      await manager.update(PaymentIntentEntity, { id: intent.id }, { captureModePinned: captureMode !== null || intent.captureModePinned, paymentMethodTypes: methods, metadata: merged });
      Object.assign(intent, { captureModePinned: captureMode !== null || intent.captureModePinned, paymentMethodTypes: methods, metadata: merged });
      return intent;
    }, intentCodec);
    this.run.hooks.committed(intent);
    return intent;
  }

  /** Keeps a payment method (`pm_…`) on an intent waiting for one: REQUIRES_PAYMENT_METHOD → REQUIRES_CONFIRMATION. */
  attach(principal: Principal, id: string, paymentMethodId: string, key: string | undefined): Promise<PaymentIntentEntity> {
    if (!TOKEN.test(paymentMethodId)) throw badUserInput('paymentMethodId', 'must be a payment method token (pm_…).');
    return runIntentCommand(
      this.run,
      principal,
      id,
      'take a payment method',
      async (manager, intent, connector) => {
        if (intent.status !== S.REQUIRES_PAYMENT_METHOD && intent.status !== S.REQUIRES_CONFIRMATION) throw cannotFromStatus('take a payment method', intent.status);
        // The PSP must know the token (an unknown one is refused before anything is written).
        await pspCall(() => connector.describePaymentMethod({ manager }, paymentMethodId));
        intent.paymentMethodId = paymentMethodId;
        if (intent.status === S.REQUIRES_PAYMENT_METHOD) await transition(manager, intent, S.REQUIRES_CONFIRMATION, { action: 'take a payment method' });
        else await manager.update(PaymentIntentEntity, { id: intent.id }, { paymentMethodId });
        return null;
      },
      { key, operation: 'attachPaymentMethod', input: { paymentMethodId } },
    );
  }
}

const installmentsDisabled = (methods: string[]) =>
  new HandoffError(ErrorCode.CAPABILITY_DISABLED, `This merchant does not take instalment payments (its installments capability is off): ${methods.join(', ')} cannot be offered; nothing was created.`, {
    reason: 'capability:installments',
  });

const merchantNotFound = (id: string) => new HandoffError(ErrorCode.MERCHANT_NOT_FOUND, `Merchant ${id} was not found.`);

function paymentMethodTypes(given: string[] | null | undefined): string[] {
  if (given === null || given === undefined) return [...PAYABLE_METHODS];
  if (given.length < 1 || given.length > 20) throw badUserInput('input.paymentMethodTypes', 'must list 1 to 20 payment method types.');
  const known: readonly string[] = PAYMENT_METHOD_TYPES;
  for (const [i, m] of given.entries()) {
    if (!known.includes(m)) throw badUserInput(`input.paymentMethodTypes[${i}]`, `must be one of ${PAYMENT_METHOD_TYPES.join(', ')}.`);
  }
  if (!given.some((m) => PAYABLE_METHODS.includes(m))) throw badUserInput('input.paymentMethodTypes', `must include one that Handoff's payment processors take (${PAYABLE_METHODS.join(', ')}).`);
  return [...new Set(given)];
}

/** The merchant's own pairs: at most 40 keys of up to 40 characters, string values up to 500; `aap_*` and Handoff's own keys are not theirs to set. */
function merchantMetadata(given: Record<string, unknown> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = Object.entries(given ?? {});
  if (entries.length > 40) throw badUserInput('input.metadata', 'must have at most 40 keys.');
  for (const [k, v] of entries) {
    if (!/^[A-Za-z0-9_.-]{1,40}$/.test(k)) throw badUserInput('input.metadata', `key "${k.slice(0, 40)}" must be 1 to 40 letters, digits, dots, dashes or underscores.`);
    if (k.startsWith('aap_') || k.startsWith('handoff_')) throw badUserInput(`input.metadata.${k}`, 'is reserved for Handoff.');
    if (v === null || v === undefined) continue;
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    if (text.length > 500) throw badUserInput(`input.metadata.${k}`, 'must be at most 500 characters.');
    refuseBidiControls(text, `input.metadata.${k}`);
    out[k] = text;
  }
  return out;
}

/** The PSP idempotency key of a standalone intent (the caller's key, else the new intent's id). */
function standaloneKey(merchantId: string, key: string): string {
  return `handoff-intent-${createHash('sha256').update(`${merchantId}\n${key}`).digest('hex').slice(0, 40)}`;
}
