// The producer's side of shared/src/contracts/webhook-events.contract.ts in the ledger: its
// webhook event payloads are built by functions typed as the contract's payload, and carry exactly
// its fields. (Their rows, written with each change, are checked in test/webhook-events.int.spec.ts.)
import { isWebhookEventType, type WebhookEventPayload } from '@handoff/shared';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { batchPaidWebhookPayload } from '../settlement/settlement.webhook-event.js';
import type { SettlementBatchRow } from '../settlement/settlement-batch.js';
import { CommissionType } from '../commission/commission.js';
import { ConversionEntity } from './conversion.entity.js';
import { ConversionPath, ConversionStatus } from './conversion.enums.js';
import { conversionWebhookPayload, milestoneWebhookPayload } from './conversion.webhook-events.js';

const PAYLOAD_FIELDS: Record<keyof WebhookEventPayload, true> = {
  type: true, merchantId: true, agentId: true, audience: true, checkoutId: true, paymentIntentId: true, correlation: true, object: true, previousAttributes: true, occurredAt: true,
};
/** A conversion's own events set no `audience` (every audience); the agent-only conversion.verified is conversionRecordedEvents'. */
const LEDGER_PAYLOAD_FIELDS = Object.keys(PAYLOAD_FIELDS).filter((k) => k !== 'audience');

const conversion = () =>
  Object.assign(new ConversionEntity(), {
    id: 'conv_1', merchantId: 'mer_1', agentId: 'agt_1', status: ConversionStatus.PENDING, conversionPath: ConversionPath.VERIFIED_PAYMENT,
    verification: 'verified', currency: 'GBP', transactionValueMinor: 1000, refundedMinor: 0, commissionType: CommissionType.CPA,
    commissionMinor: 800, networkFeeMinor: 160, builderPayoutMinor: 640, unclaimedMinor: 0, forfeitedMinor: 0, orderReference: null,
    sessionId: 'ses_1', recommendationId: 'rec_1', offerId: 'off_1', paymentIntentId: 'pi_1', validationPeriodDays: 30,
    validatesAt: new Date('2030-01-01T00:00:00Z'), reviewReason: null, paidAt: null, version: 1,
    createdAt: new Date('2029-12-02T00:00:00Z'), updatedAt: new Date('2029-12-02T00:00:00Z'),
  });

const batch = (payee_type: 'builder' | 'merchant'): SettlementBatchRow => ({
  id: 'bat_1', period: '2030-01-01', payee_type, payee_id: payee_type === 'merchant' ? 'mer_1' : 'bld_1', currency: 'GBP', total_minor: '800',
  line_count: 1, status: 'PAID', created_at: new Date(), paid_at: new Date(),
});

describe('the ledger builds the shared webhook event contract', () => {
  it('types: its builders return exactly the contract payload', () => {
    expectTypeOf(conversionWebhookPayload).returns.toEqualTypeOf<WebhookEventPayload>();
    expectTypeOf(milestoneWebhookPayload).returns.toEqualTypeOf<WebhookEventPayload>();
    expectTypeOf(batchPaidWebhookPayload).returns.toEqualTypeOf<WebhookEventPayload | null>();
  });

  it('payloads carry exactly the contract fields and contract types, to the merchant', () => {
    const c = conversion();
    const payloads = [
      conversionWebhookPayload('conversion.created', c),
      milestoneWebhookPayload(c, { id: 'ms_1', step: 'payment_received', stepIndex: 0, status: 'completed', metadata: null, recordedAt: new Date() }),
      batchPaidWebhookPayload(batch('merchant'))!,
    ];
    for (const p of payloads) {
      // agentId only where there is an agent to tell (a settlement batch has none).
      expect(Object.keys(p).filter((k) => k !== 'agentId').sort()).toEqual(LEDGER_PAYLOAD_FIELDS.filter((k) => k !== 'agentId').sort());
      expect(isWebhookEventType(p.type)).toBe(true);
      expect(p.merchantId).toBe('mer_1');
    }
    expect(payloads[2]!.object.total).toBe(800);
  });

  it('previous_attributes are the fields that changed; a builder’s payout batch is no merchant event', () => {
    const c = conversion();
    const before = conversionWebhookPayload('conversion.created', c).object;
    Object.assign(c, { status: ConversionStatus.CLAWED_BACK, commissionMinor: 0, networkFeeMinor: 0, builderPayoutMinor: 0, refundedMinor: 1000, version: 2 });
    expect(conversionWebhookPayload('conversion.clawed_back', c, before).previousAttributes).toEqual({
      status: 'pending', refunded: 0, version: 1, commission: { type: 'cpa', amount: 800, network_fee: 160, builder_payout: 640, unclaimed: 0, forfeited: 0 },
    });
    expect(batchPaidWebhookPayload(batch('builder'))).toBeNull();
  });
});
