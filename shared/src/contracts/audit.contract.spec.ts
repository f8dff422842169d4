// The audit and checkout timeline contracts: a producer's row is stamped with the request's actor
// and id (or the package as a service when no request acts); before/after hold only what changed,
// whatever the key order; the consumers' parsers keep what is well formed, truncate an oversized
// snapshot rather than lose the row, and refuse the rest.
import { describe, expect, it } from 'vitest';
import { actorOf, pspWebhookActor } from '../identity/actor.js';
import { runWithActor, runWithRequestContext } from '../logging/logger.js';
import { auditOutboxEvent, changedFields, parseAuditPayload } from './audit.contract.js';
import { checkoutTimelineOutboxEvent, parseCheckoutTimelinePayload } from './checkout-timeline.contract.js';

const change = { entityType: 'tax_config' as const, entityId: 'mer_1', merchantId: 'mer_1', action: 'set', before: { rates: [] }, after: { rates: [{ country: 'GB' }] } };

describe('the audit contract', () => {
  it("stamps the request's actor and id; the package itself when no request acts; a PSP event in its job", () => {
    const admin = runWithRequestContext({ requestId: 'req-1', actor: actorOf({ kind: 'ADMIN', keyId: 'key_a' }) }, () => auditOutboxEvent(change, 'merchant'));
    expect(admin.topic).toBe('audit.tax_config.set');
    expect(admin.aggregateId).toBe('mer_1');
    expect(admin.payload).toMatchObject({ actor: { kind: 'admin', id: 'key_a' }, requestId: 'req-1', before: { rates: [] }, after: { rates: [{ country: 'GB' }] } });
    expect(auditOutboxEvent(change, 'merchant').payload).toMatchObject({ actor: { kind: 'service', id: 'merchant' }, requestId: null });
    const psp = runWithRequestContext({ requestId: 'job-1' }, () => runWithActor(pspWebhookActor('STRIPE', 'evt_1'), () => auditOutboxEvent(change, 'merchant')));
    expect(psp.payload).toMatchObject({ actor: { kind: 'psp_webhook', id: 'stripe:evt_1' }, requestId: 'job-1' });
    expect(parseAuditPayload(psp.payload).ok).toBe(true);
  });

  it('changedFields: only what changed, whatever the key order', () => {
    expect(changedFields({ a: { x: 1, y: 2 }, b: 1 }, { a: { y: 2, x: 1 }, b: 2 })).toEqual({ before: { b: 1 }, after: { b: 2 } });
    expect(changedFields({ a: 1 }, { a: 1 })).toBeNull();
    expect(changedFields({}, { c: true })).toEqual({ before: { c: null }, after: { c: true } });
  });

  it('the intake keeps an oversized snapshot truncated and refuses a malformed row', () => {
    const row = auditOutboxEvent({ ...change, after: { blob: 'x'.repeat(40_000) } }, 'merchant').payload;
    const parsed = parseAuditPayload(row);
    expect(parsed.ok && parsed.entry.after).toEqual({ truncated: true, bytes: expect.any(Number) });
    for (const bad of [{ ...row, actor: { kind: 'root', id: 'x' } }, { ...row, action: 'DROP' }, { ...row, at: 'soon' }, { ...row, before: [1] }, null]) {
      expect(parseAuditPayload(bad).ok).toBe(false);
    }
  });
});

describe('the checkout timeline contract', () => {
  const entry = { checkoutId: 'cs_1', merchantId: 'mer_1', kind: 'payment.failed' as const, at: '2026-12-05T10:00:00.000Z', summary: 'Payment declined', data: { decline_code: 'x' } };

  it('a row per entry, on topic timeline.<kind>, about the checkout session', () => {
    const e = checkoutTimelineOutboxEvent(entry);
    expect([e.topic, e.aggregateId]).toEqual(['timeline.payment.failed', 'cs_1']);
    const parsed = parseCheckoutTimelinePayload(e.payload);
    expect(parsed.ok && parsed.entry).toEqual({ ...entry, actor: null });
  });

  it('accepts a kind it does not know yet (issue 20 adds some), refuses what is malformed', () => {
    expect(parseCheckoutTimelinePayload({ ...entry, kind: 'reservation.released' }).ok).toBe(true);
    for (const bad of [{ ...entry, kind: 'Payment' }, { ...entry, summary: '' }, { ...entry, summary: 'x'.repeat(501) }, { ...entry, data: [] }, { ...entry, checkoutId: '' }]) {
      expect(parseCheckoutTimelinePayload(bad).ok).toBe(false);
    }
  });
});
