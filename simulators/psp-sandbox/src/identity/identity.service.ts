// The sandbox's KYC provider: a merchant creates a verification (its reference, where to call back,
// the secret to sign the callback with) and gets the URL of the verification page; the person
// completes it there (verified or failed) and the sandbox POSTs a signed callback
// (`Handoff-Signature`, the shared webhook scheme) to the merchant's callback URL at once. A
// completed verification's page can send its callback again (same event id): the callback is
// not queued here, so a receiver that was down is reached by completing again.
import { httpPost, signatureHeader } from '@handoff/shared';
import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { invalidParameter, SandboxError } from '../errors.js';
import { IdentityVerificationEntity, type IdentityVerificationStatus } from './identity-verification.entity.js';

export const IDENTITY_CALLBACK_TIMEOUT_MS = 10_000;
const REFERENCE = /^[A-Za-z0-9_-]{1,120}$/;

export interface CreateVerification {
  reference: string;
  callbackUrl: string;
  callbackSecret: string;
}

export interface CallbackResult {
  delivered: boolean;
  /** The receiver's HTTP status; null when it could not be reached. */
  status: number | null;
}

export const noSuchVerification = (id: string) =>
  new SandboxError(404, 'invalid_request_error', 'resource_missing', `No such verification session: '${id.slice(0, 80)}'`, 'id');

export class IdentityVerifications {
  /** Idempotent per (merchant, reference): the same reference answers its verification. */
  async create(manager: EntityManager, merchantId: string, req: CreateVerification): Promise<IdentityVerificationEntity> {
    if (!REFERENCE.test(req.reference)) throw invalidParameter('reference', 'must be 1-120 letters, digits, _ or -.');
    let url: URL;
    try {
      url = new URL(req.callbackUrl);
    } catch {
      throw invalidParameter('callback_url', 'must be an absolute http(s) URL.');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidParameter('callback_url', 'must be an absolute http(s) URL.');
    if (req.callbackSecret.length < 16 || req.callbackSecret.length > 512) throw invalidParameter('callback_secret', 'must be 16 to 512 characters.');
    const row = manager.create(IdentityVerificationEntity, {
      id: `vs_sbx_${randomBytes(12).toString('hex')}`,
      merchantId,
      reference: req.reference,
      callbackUrl: url.href,
      callbackSecret: req.callbackSecret,
      status: 'requires_input',
      callbackEventId: null,
    });
    const inserted = await manager.createQueryBuilder().insert().into(IdentityVerificationEntity).values(row).orIgnore().returning('id').execute();
    if ((inserted.raw as unknown[]).length) return manager.findOneByOrFail(IdentityVerificationEntity, { id: row.id });
    return manager.findOneByOrFail(IdentityVerificationEntity, { merchantId, reference: req.reference });
  }

  async find(manager: EntityManager, id: string, merchantId: string | null = null): Promise<IdentityVerificationEntity | null> {
    const v = await manager.findOneBy(IdentityVerificationEntity, { id });
    return v && (merchantId === null || v.merchantId === merchantId) ? v : null;
  }

  /** The person's outcome; completing again with the same outcome only resends the callback, another outcome is refused. */
  async complete(manager: EntityManager, id: string, outcome: Exclude<IdentityVerificationStatus, 'requires_input'>): Promise<IdentityVerificationEntity> {
    const v = await manager.findOne(IdentityVerificationEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!v) throw noSuchVerification(id);
    if (v.status !== 'requires_input') {
      if (v.status !== outcome) throw new SandboxError(400, 'invalid_request_error', 'verification_session_unexpected_state', `This verification is already ${v.status}.`);
      return v;
    }
    v.status = outcome;
    v.callbackEventId = `evt_sbx_${randomBytes(12).toString('hex')}`;
    await manager.save(IdentityVerificationEntity, v);
    return v;
  }

  /** POSTs the signed callback of a completed verification; whether the receiver took it (2xx). */
  async sendCallback(v: IdentityVerificationEntity): Promise<CallbackResult> {
    const body = JSON.stringify(callbackEvent(v));
    try {
      const res = await httpPost(
        v.callbackUrl,
        { 'content-type': 'application/json', 'handoff-signature': signatureHeader(v.callbackSecret, body), 'user-agent': 'Handoff-Sandbox-Identity/1' },
        body,
        IDENTITY_CALLBACK_TIMEOUT_MS,
      );
      return { delivered: res.status >= 200 && res.status < 300, status: res.status };
    } catch {
      return { delivered: false, status: null };
    }
  }
}

/** The callback's body: Stripe Identity's event shape. */
export function callbackEvent(v: IdentityVerificationEntity): Record<string, unknown> {
  return {
    id: v.callbackEventId,
    object: 'event',
    type: `identity.verification_session.${v.status}`,
    created: Math.floor(v.updatedAt.getTime() / 1000),
    data: { object: verificationObject(v) },
  };
}

export function verificationObject(v: IdentityVerificationEntity, pageUrl?: string): Record<string, unknown> {
  return {
    id: v.id,
    object: 'identity.verification_session',
    reference: v.reference,
    status: v.status,
    created: Math.floor(v.createdAt.getTime() / 1000),
    ...(pageUrl ? { url: pageUrl } : {}),
  };
}
