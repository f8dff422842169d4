// The sandbox PSP's side of a webhook, for the fault storm (test/faults) and bench:system:
// the Stripe-shaped events it emits about a payment intent, and one signed delivery attempt,
// signed at send time exactly as the sandbox signs (`Handoff-Signature: t=…,v1=HMAC-SHA256(
// webhookSecret, "t.body")`).
import { signatureHeader } from '@handoff/payment-intent/webhooks/signature';
import { post } from './http-client.js';

/** What the PSP knows of a payment intent made through agent checkout. */
export interface PspIntent {
  providerPaymentId: string;
  amountMinor: number;
  currency: string;
  /** The AAP metadata checkout signed. */
  metadata: Record<string, string>;
}

export type Fate = 'succeed' | 'refund' | 'cancel';

export interface PlannedEvent {
  eventId: string;
  intentIndex: number;
  type: string;
  /** The exact JSON body (signed at send time, as the sandbox signs at delivery). */
  body: string;
}

/** mulberry32: a small seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const unix = () => Math.floor(Date.now() / 1000);

function piObject(pi: PspIntent, status: string, received: number) {
  return {
    id: pi.providerPaymentId,
    object: 'payment_intent',
    amount: pi.amountMinor,
    amount_received: received,
    capture_method: 'automatic',
    currency: pi.currency.toLowerCase(),
    livemode: false,
    metadata: pi.metadata,
    status,
  };
}

function chargeObject(pi: PspIntent, refunded: boolean, tag: string) {
  const ch = `ch_${tag}_${pi.providerPaymentId}`;
  return {
    id: ch,
    object: 'charge',
    amount: pi.amountMinor,
    amount_captured: pi.amountMinor,
    amount_refunded: refunded ? pi.amountMinor : 0,
    currency: pi.currency.toLowerCase(),
    metadata: pi.metadata,
    payment_intent: pi.providerPaymentId,
    refunded,
    refunds: {
      object: 'list',
      data: refunded ? [{ id: `re_${tag}_${pi.providerPaymentId}`, object: 'refund', amount: pi.amountMinor, currency: pi.currency.toLowerCase(), status: 'succeeded' }] : [],
      has_more: false,
    },
    status: 'succeeded',
  };
}

/**
 * The events the PSP sends about one intent with this fate, in order; ids `evt_<tag>_<psp id>_<n>`.
 * succeed: created, processing, charge.succeeded, succeeded (4); refund: + charge.refunded (5);
 * cancel: created, processing, canceled (3).
 */
export function pspEventsFor(pi: PspIntent, index: number, fate: Fate, tag = 'storm'): PlannedEvent[] {
  const steps: Array<[string, Record<string, unknown>]> = [
    ['payment_intent.created', piObject(pi, 'requires_payment_method', 0)],
    ['payment_intent.processing', piObject(pi, 'processing', 0)],
  ];
  if (fate === 'cancel') steps.push(['payment_intent.canceled', piObject(pi, 'canceled', 0)]);
  else {
    steps.push(['charge.succeeded', chargeObject(pi, false, tag)], ['payment_intent.succeeded', piObject(pi, 'succeeded', pi.amountMinor)]);
    if (fate === 'refund') steps.push(['charge.refunded', chargeObject(pi, true, tag)]);
  }
  return steps.map(([type, object], n) => {
    const eventId = `evt_${tag}_${pi.providerPaymentId}_${n}`;
    const body = JSON.stringify({ id: eventId, object: 'event', api_version: '2024-06-20', created: unix(), livemode: false, type, data: { object } });
    return { eventId, intentIndex: index, type, body };
  });
}

/** One delivery attempt: status (or 'timeout' / 'network'), the body, how long it took, and any Retry-After header. */
export async function postSignedWebhook(url: string, secret: string, body: string, timeoutMs: number): Promise<{ status: number | string; text: string; ms: number; retryAfter?: string | null }> {
  const t0 = performance.now();
  try {
    const res = await post(url, { 'content-type': 'application/json', 'handoff-signature': signatureHeader(secret, body) }, body, timeoutMs);
    return { status: res.status, text: res.text, ms: performance.now() - t0, retryAfter: res.header('retry-after') };
  } catch (err) {
    const name = (err as Error).name;
    return { status: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network', text: String(err), ms: performance.now() - t0 };
  }
}
