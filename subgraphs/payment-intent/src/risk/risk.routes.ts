// The signed internal routes the gateway forwards risk callbacks to, raw (the signatures cover
// the bytes): POST /internal/risk/fraud-decisions/:merchantId (a fraud provider's decision) and
// POST /internal/risk/kyc/:kycId/complete (the KYC provider's callback), each with its
// `Handoff-Signature` header. Answers are the callers' to relay: 200 once recorded (or a
// duplicate), 400 a bad signature or body (nothing written), 404 an unknown payment or
// verification, 503 when it could not be recorded (the sender retries).
import { HANDOFF_SIGNATURE_HEADER, type InternalAnswer, type InternalRoute, type Logger } from '@handoff/shared';
import type { FraudDecisionService } from './fraud-decisions.service.js';
import type { KycService } from './kyc.service.js';

const MERCHANT_ID = /^[A-Za-z0-9_-]{1,80}$/;
const UNAVAILABLE: InternalAnswer = { status: 503, headers: { 'retry-after': '5' }, body: { received: false, code: 'SERVICE_UNAVAILABLE', error: 'temporarily unavailable' } };
const FORBIDDEN: InternalAnswer = { status: 403, body: { received: false, code: 'FORBIDDEN', error: 'forbidden' } };

const single = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export function riskRoutes(fraud: FraudDecisionService, kyc: KycService, logger: Logger): InternalRoute[] {
  return [
    {
      path: '/risk/fraud-decisions/:merchantId',
      async handle(req) {
        if (req.principal.kind !== 'SERVICE') return FORBIDDEN;
        const merchantId = req.params.merchantId ?? '';
        if (!MERCHANT_ID.test(merchantId)) return { status: 400, body: { received: false, code: 'WEBHOOK_SIGNATURE_INVALID', error: 'unknown merchant' } };
        try {
          return await fraud.receive(merchantId, req.rawBody, single(req.headers[HANDOFF_SIGNATURE_HEADER]));
        } catch (err) {
          logger.error({ err, merchantId }, 'fraud decision could not be recorded');
          return UNAVAILABLE;
        }
      },
    },
    {
      path: '/risk/kyc/:kycId/complete',
      async handle(req) {
        if (req.principal.kind !== 'SERVICE') return FORBIDDEN;
        try {
          return await kyc.complete(req.params.kycId ?? '', req.rawBody, single(req.headers[HANDOFF_SIGNATURE_HEADER]));
        } catch (err) {
          logger.error({ err }, 'KYC callback could not be recorded');
          return UNAVAILABLE;
        }
      },
    },
  ];
}
