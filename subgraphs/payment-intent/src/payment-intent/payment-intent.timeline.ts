// What a payment intent's changes add to its checkout session's timeline (issue 19, seed 003 §16;
// shared/src/contracts/checkout-timeline.contract.ts): announce() writes these rows beside the
// change's `payment_intent.*` row, in the same statement, for an intent of a checkout session:
//   a confirmation            payment.confirm_attempted, then what it came to:
//   payment_intent.created    payment.created          requires_action  payment.requires_action (3-D Secure)
//   payment_failed            payment.failed (its code and decline code; a failed 3-D Secure)
//   succeeded                 payment.succeeded        requires_capture payment.authorized
//   captured / refunded / canceled / processing / amount_updated: payment.<the same>
// and payment.disputed from a PSP's dispute-opened event (apply-psp-event.ts). The actor is the
// request's (the hosted page, the merchant's key), the PSP's webhook event, or payment-intent.
// Never a card number: only the PSP's payment method id.
import {
  checkoutTimelineOutboxEvent,
  currentActor,
  formatDecimal,
  money,
  serviceActor,
  type ContributedTimelineKind,
  type OutboxEvent,
} from '@handoff/shared';
import type { PaymentIntentEntity } from './payment-intent.entity.js';
import { CaptureMode } from './payment-intent.enums.js';

const SERVICE = 'payment-intent';

const KIND_OF_TOPIC: Readonly<Record<string, ContributedTimelineKind>> = {
  'payment_intent.created': 'payment.created',
  'payment_intent.amount_updated': 'payment.amount_updated',
  'payment_intent.requires_action': 'payment.requires_action',
  'payment_intent.processing': 'payment.processing',
  'payment_intent.requires_capture': 'payment.authorized',
  'payment_intent.succeeded': 'payment.succeeded',
  'payment_intent.payment_failed': 'payment.failed',
  'payment_intent.captured': 'payment.captured',
  'payment_intent.refunded': 'payment.refunded',
  'payment_intent.canceled': 'payment.canceled',
};

/** The change's data key that marks a confirmation (payment-intent.commands.ts confirm). */
export const CONFIRM_ATTEMPT = 'confirmAttempt';

const amount = (minor: number, currency: string) => `${formatDecimal(money(minor, currency))} ${currency}`;

type Change = Record<string, unknown>;
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const count = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);

function summaryOf(kind: ContributedTimelineKind, i: PaymentIntentEntity, change: Change): { summary: string; data: Record<string, unknown> } {
  const threeDS = text(change.threeDSecure);
  const via = threeDS === 'approved' ? '3-D Secure approved; ' : threeDS === 'failed' ? '3-D Secure failed; ' : '';
  /** `text`, after what 3-D Secure decided when it decided it. */
  const via3ds = (text: string) => (via ? `${via}${text[0]!.toLowerCase()}${text.slice(1)}` : text);
  switch (kind) {
    case 'payment.created':
      return {
        summary: `Payment intent ${i.id} created for ${amount(i.amountMinor, i.currency)} (${i.captureMode === CaptureMode.MANUAL ? 'manual' : 'automatic'} capture)`,
        data: { capture_mode: i.captureMode === CaptureMode.MANUAL ? 'manual' : 'auto', provider: i.provider.toLowerCase() },
      };
    case 'payment.amount_updated':
      return { summary: `Payment amount updated to ${amount(i.amountMinor, i.currency)}`, data: { calculation_id: text(change.calculationId) } };
    case 'payment.requires_action':
      return { summary: '3-D Secure required: the buyer must authenticate', data: { next_action: i.nextAction?.type ?? 'three_d_secure' } };
    case 'payment.processing':
      return { summary: 'Payment processing', data: {} };
    case 'payment.authorized':
      return { summary: via3ds(`Payment authorized: ${amount(i.amountMinor, i.currency)} awaiting capture`), data: { three_d_secure: threeDS } };
    case 'payment.succeeded':
      return { summary: via3ds(`Payment succeeded: ${amount(i.amountCapturedMinor || i.amountMinor, i.currency)}`), data: { amount_captured: i.amountCapturedMinor, three_d_secure: threeDS } };
    case 'payment.failed': {
      const error = (change.error ?? {}) as { code?: unknown; declineCode?: unknown };
      const code = text(error.code) ?? i.lastPaymentError?.code ?? null;
      const declineCode = text(error.declineCode) ?? i.lastPaymentError?.declineCode ?? null;
      return {
        summary: via3ds(`Payment declined: ${declineCode ?? code ?? 'unknown reason'}`),
        data: { code, decline_code: declineCode, message: i.lastPaymentError?.message ?? null, three_d_secure: threeDS },
      };
    }
    case 'payment.captured':
      return {
        summary: `Payment captured: ${amount(i.amountCapturedMinor, i.currency)}`,
        data: { amount_captured: i.amountCapturedMinor, released: count(change.releasedMinor) },
      };
    case 'payment.refunded': {
      const refunded = count(change.amountMinor);
      return {
        summary: `Refunded ${refunded !== null ? amount(refunded, i.currency) : 'an amount'} (${amount(i.amountRefundedMinor, i.currency)} in all)`,
        data: { refund_id: text(change.refundId), amount: refunded, amount_refunded: i.amountRefundedMinor, reason: text(change.reason) },
      };
    }
    case 'payment.canceled':
      return { summary: 'Payment canceled', data: {} };
    default:
      return { summary: kind, data: {} };
  }
}

function entry(i: PaymentIntentEntity, kind: ContributedTimelineKind, summary: string, data: Record<string, unknown>): OutboxEvent {
  return checkoutTimelineOutboxEvent({
    checkoutId: i.checkoutSessionId!,
    merchantId: i.merchantId,
    kind,
    at: new Date().toISOString(),
    summary,
    actor: currentActor() ?? serviceActor(SERVICE),
    data: {
      payment_intent_id: i.id,
      status: i.status.toLowerCase(),
      amount: i.amountMinor,
      currency: i.currency,
      ...data,
    },
  });
}

/** The timeline rows of a change announced as `topic` (none for an intent of no checkout session). */
export function timelineEventsOfChange(intent: PaymentIntentEntity, topic: string, change: Change = {}): OutboxEvent[] {
  if (!intent.checkoutSessionId) return [];
  const out: OutboxEvent[] = [];
  if (change[CONFIRM_ATTEMPT] === true) {
    const method = intent.paymentMethodId;
    out.push(entry(intent, 'payment.confirm_attempted', `Payment attempted${method ? ` with ${method}` : ''}: ${amount(intent.amountMinor, intent.currency)}`, { payment_method: method }));
  }
  const kind = KIND_OF_TOPIC[topic];
  if (kind) {
    const { summary, data } = summaryOf(kind, intent, change);
    out.push(entry(intent, kind, summary, { ...data, ...(change.source === 'webhook' ? { source: 'webhook' } : {}) }));
  }
  return out;
}

/** A PSP's dispute opened on the intent's charge. */
export function disputeTimelineEvent(intent: PaymentIntentEntity, dispute: { id: string | null; status: string | null; amount: number | null; currency: string | null }): OutboxEvent[] {
  if (!intent.checkoutSessionId) return [];
  return [entry(intent, 'payment.disputed', `Payment disputed${dispute.status ? ` (${dispute.status})` : ''}`, { dispute })];
}
