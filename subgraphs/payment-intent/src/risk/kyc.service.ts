// Identity verification (KYC) of a checkout's buyer (seed 003 §10): `startCheckoutKyc` asks the
// KYC provider (the sandbox's, simulators/psp-sandbox/src/identity: a TEST merchant's) for a
// verification and answers its URL; the provider's SIGNED callback
// (POST /v1/checkout/kyc/{kycId}/complete, forwarded raw by the gateway) marks it VERIFIED or
// FAILED. A merchant that requires KYC above an amount (its risk settings) has such payments
// refused KYC_REQUIRED until the session's verification is VERIFIED (risk-assessor.ts).
//
// The callback's secret is derived per verification from Handoff's internal secret
// (HMAC(internal secret, "kyc-callback:<kyc id>")), given to the provider at creation and never
// stored: a callback is verified before anything is read, and one with a bad signature writes
// nothing (400 WEBHOOK_SIGNATURE_INVALID). A callback delivered twice changes nothing twice.
import { ErrorCode, requireKind, verifySignature, type Principal } from '@handoff/shared';
import { createHmac } from 'node:crypto';
import { ulid } from 'ulid';
import type { DataSource } from 'typeorm';
import type { CheckoutRiskSignalsSource } from '../ports/checkout-session.port.js';
import { checkoutSessionNotFound } from './risk.errors.js';
import { KycVerificationEntity } from './risk.entities.js';
import type { KycProvider } from './kyc-provider.js';

export interface KycAnswer {
  status: number;
  body: Record<string, unknown>;
}

const KYC_ID = /^kyc_[0-9A-HJKMNP-TV-Z]{26}$/;

export class KycService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly checkout: CheckoutRiskSignalsSource,
    private readonly provider: KycProvider,
    private readonly internalSecret: string,
    /** Where the provider calls back: the gateway's public base URL. */
    private readonly publicBaseUrl: string,
  ) {}

  /** The secret the provider signs the callback of verification `kycId` with. */
  callbackSecret(kycId: string): string {
    return `whsec_${createHmac('sha256', this.internalSecret).update(`kyc-callback:${kycId}`).digest('base64url')}`;
  }

  /** The session's open verification (pending or verified), or a new one at the provider. */
  async start(principal: Principal, checkoutSessionId: string): Promise<KycVerificationEntity> {
    const p = requireKind(principal, 'MERCHANT', 'ADMIN');
    const session = await this.checkout.riskSignals(checkoutSessionId);
    if (!session || (p.kind === 'MERCHANT' && session.merchantId !== p.merchantId)) throw checkoutSessionNotFound(checkoutSessionId);
    const open = await this.openOf(checkoutSessionId);
    if (open) return open;
    const id = `kyc_${ulid()}`;
    const started = await this.provider.start(session.merchantId, {
      reference: id,
      callbackUrl: `${this.publicBaseUrl.replace(/\/+$/, '')}/v1/checkout/kyc/${id}/complete`,
      callbackSecret: this.callbackSecret(id),
    });
    const rows = (await this.dataSource.query(
      `INSERT INTO payment.kyc_verifications (id, merchant_id, checkout_session_id, provider, provider_verification_id, verification_url, status)
       VALUES ($1, $2, $3, $4, $5, $6, 'PENDING')
       ON CONFLICT (checkout_session_id) WHERE status IN ('PENDING', 'VERIFIED') DO NOTHING RETURNING id`,
      [id, session.merchantId, checkoutSessionId, started.provider, started.id, started.url],
    )) as Array<{ id: string }>;
    // A concurrent start made one first: its verification is the session's.
    if (!rows.length) return (await this.openOf(checkoutSessionId))!;
    return this.dataSource.manager.findOneByOrFail(KycVerificationEntity, { id });
  }

  /** The provider's signed callback: verified first (nothing read before), then applied once. */
  async complete(kycId: string, raw: Buffer, signature: string | undefined): Promise<KycAnswer> {
    const refused = (status: number, code: string, error: string) => ({ status, body: { received: false, code, error } });
    if (!KYC_ID.test(kycId)) return refused(404, ErrorCode.NOT_FOUND, `KYC verification ${kycId.slice(0, 40)} was not found.`);
    const check = verifySignature({ payload: raw, header: signature, secret: this.callbackSecret(kycId) });
    if (!check.ok) return refused(400, ErrorCode.WEBHOOK_SIGNATURE_INVALID, `The signature does not verify (${check.reason}); nothing was recorded.`);
    const event = readCallback(raw);
    if (!event) return refused(400, ErrorCode.BAD_USER_INPUT, 'The body is not a verification event: { id, data: { object: { id, reference, status: verified | failed } } }.');
    if (event.reference !== kycId) return refused(400, ErrorCode.BAD_USER_INPUT, 'The event is about another verification (data.object.reference).');
    return this.dataSource.transaction(async (manager) => {
      const kyc = await manager.findOne(KycVerificationEntity, { where: { id: kycId }, lock: { mode: 'pessimistic_write' } });
      if (!kyc) return refused(404, ErrorCode.NOT_FOUND, `KYC verification ${kycId} was not found.`);
      if (kyc.providerVerificationId !== event.verificationId) return refused(400, ErrorCode.BAD_USER_INPUT, 'The event is about another verification (data.object.id).');
      const answer = (status: string) => ({ status: 200, body: { received: true, status, kyc_id: kyc.id, checkout_id: kyc.checkoutSessionId, kyc_status: kyc.status.toLowerCase() } });
      if (kyc.status !== 'PENDING') return kyc.status === event.status ? answer('duplicate') : refused(409, ErrorCode.INVALID_STATE_TRANSITION, `The verification is already ${kyc.status.toLowerCase()}.`);
      kyc.status = event.status;
      kyc.callbackEventId = event.eventId;
      kyc.completedAt = new Date();
      await manager.update(KycVerificationEntity, { id: kyc.id }, { status: kyc.status, callbackEventId: kyc.callbackEventId, completedAt: kyc.completedAt });
      return answer('applied');
    });
  }

  private openOf(checkoutSessionId: string): Promise<KycVerificationEntity | null> {
    return this.dataSource.manager.findOne(KycVerificationEntity, { where: [{ checkoutSessionId, status: 'PENDING' }, { checkoutSessionId, status: 'VERIFIED' }] });
  }
}

/** The callback's event (Stripe Identity's shape); null when it is not one. */
function readCallback(raw: Buffer): { eventId: string; verificationId: string; reference: string; status: 'VERIFIED' | 'FAILED' } | null {
  let b: unknown;
  try {
    b = JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
  const e = b as { id?: unknown; data?: { object?: { id?: unknown; reference?: unknown; status?: unknown } } };
  const o = e?.data?.object;
  if (typeof e?.id !== 'string' || e.id.length > 200 || !o || typeof o.id !== 'string' || typeof o.reference !== 'string') return null;
  if (o.status !== 'verified' && o.status !== 'failed') return null;
  return { eventId: e.id, verificationId: o.id, reference: o.reference, status: o.status === 'verified' ? 'VERIFIED' : 'FAILED' };
}
