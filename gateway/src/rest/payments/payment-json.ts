// Seed 003's payment intent as the REST routes answer it (snake_case, minor units, lower-case statuses).

export const INTENT_FIELDS = `id status captureMode paymentMethodTypes metadata createdAt
  amount { amountMinor currency } amountCaptured { amountMinor } amountRefunded { amountMinor }
  nextAction { type url } lastPaymentError { code declineCode message } clientSecret checkoutSession { id clientToken }`;

export interface IntentJson {
  id: string;
  status: string;
  captureMode: 'AUTOMATIC' | 'MANUAL';
  paymentMethodTypes: string[];
  metadata: Record<string, unknown>;
  createdAt: string;
  amount: { amountMinor: number; currency: string };
  amountCaptured: { amountMinor: number };
  amountRefunded: { amountMinor: number };
  nextAction: { type: string; url: string | null } | null;
  lastPaymentError: { code: string; declineCode: string | null; message: string } | null;
  clientSecret?: string | null;
  checkoutSession: { id: string; clientToken?: string | null } | null;
}

export const CAPTURE_MODES: Record<string, 'AUTOMATIC' | 'MANUAL'> = { auto: 'AUTOMATIC', manual: 'MANUAL' };

/** `next_action`: `{ type: "three_d_secure" | "redirect_to_url", url }`, null when the buyer has nothing to do. */
export function nextActionJson(n: IntentJson['nextAction']): Record<string, unknown> | null {
  return n ? { type: n.type, url: n.url } : null;
}

export function intentJson(i: IntentJson): Record<string, unknown> {
  return {
    payment_intent_id: i.id,
    object: 'payment_intent',
    status: i.status.toLowerCase(),
    amount: i.amount.amountMinor,
    currency: i.amount.currency,
    amount_captured: i.amountCaptured.amountMinor,
    amount_refunded: i.amountRefunded.amountMinor,
    capture_mode: i.captureMode === 'MANUAL' ? 'manual' : 'auto',
    payment_methods: i.paymentMethodTypes,
    checkout_id: i.checkoutSession?.id ?? null,
    // What a client confirms with (Authorization: Bearer): the session's client secret for a session's intent, the intent's own (pi_…_secret_…) for a standalone one.
    client_secret: i.clientSecret ?? i.checkoutSession?.clientToken ?? null,
    next_action: nextActionJson(i.nextAction),
    last_payment_error: i.lastPaymentError ? { code: i.lastPaymentError.code, decline_code: i.lastPaymentError.declineCode, message: i.lastPaymentError.message } : null,
    metadata: i.metadata,
    created_at: i.createdAt,
  };
}
