// The PSP's 3-D Secure result, called back to Handoff (seed 003 §7, POST /v1/checkout/3ds/callback
// at the gateway, forwarded raw to POST /internal/payments/3ds/callback). Body
// `{ "payment_intent_id": "…", "result": "approved" | "failed" }`, signed as the PSP's webhooks
// are (`Handoff-Signature: t=…,v1=HMAC-SHA256(the merchant's PSP webhook secret, "<t>.<body>")`,
// 300 s tolerance). Unsigned, tampered or stale → 400 WEBHOOK_SIGNATURE_INVALID, nothing written;
// an unknown intent → 404 PAYMENT_INTENT_NOT_FOUND (an intent of another merchant is never
// reached: the secret is its own merchant's). A result for an intent no longer waiting for it
// answers 200 with its status (a PSP's redelivery).
import { ErrorCode, HandoffError, HANDOFF_SIGNATURE_HEADER, verifySignature, type InternalAnswer, type InternalRoute, type Logger, type Principal } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import type { CredentialsSource } from '../psp/merchant-credentials.js';
import type { PaymentIntentCommands } from './payment-intent.commands.js';
import { PaymentIntentEntity } from './payment-intent.entity.js';
import { PaymentIntentStatus as S } from './payment-intent.enums.js';

export const THREE_DS_CALLBACK_PATH = '/payments/3ds/callback';
const ID = /^[A-Za-z0-9_-]{1,100}$/;
const PSP: Principal = { kind: 'SERVICE', service: 'psp-3ds-callback' } as Principal;

const refused = (status: number, code: string, error: string, field?: string): InternalAnswer => ({ status, body: { received: false, code, error, ...(field ? { field } : {}) } });

export class ThreeDSecureCallbacks {
  constructor(
    private readonly dataSource: DataSource,
    private readonly credentials: CredentialsSource,
    private readonly commands: PaymentIntentCommands,
  ) {}

  async receive(raw: Buffer, signature: string | undefined): Promise<InternalAnswer> {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      return refused(400, ErrorCode.BAD_USER_INPUT, 'The body must be JSON.');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) return refused(400, ErrorCode.BAD_USER_INPUT, 'The body must be a JSON object.');
    const id = body.payment_intent_id;
    if (typeof id !== 'string' || !ID.test(id)) return refused(400, ErrorCode.BAD_USER_INPUT, 'payment_intent_id: must be a payment intent id.', 'payment_intent_id');
    if (body.result !== 'approved' && body.result !== 'failed') return refused(400, ErrorCode.BAD_USER_INPUT, 'result: must be "approved" or "failed".', 'result');
    const intent = await this.dataSource.manager.findOneBy(PaymentIntentEntity, { id });
    // Unknown and unsigned look alike until the signature verifies: a forger learns nothing.
    const credentials = intent ? await this.credentials.get(intent.merchantId) : null;
    const secret = credentials?.webhookSecret;
    if (!intent || !secret) {
      return signature ? refused(404, ErrorCode.PAYMENT_INTENT_NOT_FOUND, `Payment intent ${id} was not found.`) : refused(400, ErrorCode.WEBHOOK_SIGNATURE_INVALID, 'The signature does not verify (missing); nothing was recorded.');
    }
    const check = verifySignature({ payload: raw, header: signature, secret });
    if (!check.ok) return refused(400, ErrorCode.WEBHOOK_SIGNATURE_INVALID, `The signature does not verify (${check.reason}); nothing was recorded.`);
    if (intent.status !== S.REQUIRES_ACTION) return { status: 200, body: { received: true, payment_intent_id: id, status: intent.status.toLowerCase() } };
    try {
      const done = await this.commands.completeThreeDSecure(PSP, id, body.result === 'approved');
      return { status: 200, body: { received: true, payment_intent_id: id, status: done.status.toLowerCase() } };
    } catch (err) {
      // A failed challenge is recorded (the decline) and acknowledged; a race with another result answers the status now.
      if (err instanceof HandoffError && (err.code === ErrorCode.PAYMENT_DECLINED || err.code === ErrorCode.INVALID_STATE_TRANSITION)) {
        const now = await this.dataSource.manager.findOneByOrFail(PaymentIntentEntity, { id });
        return { status: 200, body: { received: true, payment_intent_id: id, status: now.status.toLowerCase() } };
      }
      throw err;
    }
  }
}

const single = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export function threeDSecureRoutes(callbacks: ThreeDSecureCallbacks, logger: Logger): InternalRoute[] {
  return [
    {
      path: THREE_DS_CALLBACK_PATH,
      async handle(req) {
        if (req.principal.kind !== 'SERVICE') return refused(403, ErrorCode.FORBIDDEN, 'forbidden');
        try {
          return await callbacks.receive(req.rawBody, single(req.headers[HANDOFF_SIGNATURE_HEADER]));
        } catch (err) {
          logger.error({ err }, '3-D Secure callback could not be recorded');
          return { status: 503, headers: { 'retry-after': '5' }, body: { received: false, code: 'SERVICE_UNAVAILABLE', error: 'temporarily unavailable' } };
        }
      },
    },
  ];
}
