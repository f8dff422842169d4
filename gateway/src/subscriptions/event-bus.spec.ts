import { describe, expect, it } from 'vitest';
import { changeOf } from './event-bus.js';

describe('changeOf: billing subscription events (issue 22)', () => {
  it('reads billing_subscription.* into a change of its own family, the outbox id as cursor', () => {
    const change = changeOf({
      topic: 'billing_subscription.updated',
      outboxId: '42',
      payload: { billingSubscription: { id: 'bsub_1', merchantId: 'm_1', status: 'PAUSED', checkoutSessionId: 'cs_1' }, occurredAt: '2026-01-01T00:00:00Z' },
    } as never);
    expect(change).toMatchObject({ family: 'billing_subscription', cursor: '42', topic: 'billing_subscription.updated', subscriptionId: 'bsub_1', merchantId: 'm_1', status: 'PAUSED' });
  });

  it('ignores a billing message without an id or a status', () => {
    expect(changeOf({ topic: 'billing_subscription.updated', outboxId: '1', payload: { billingSubscription: { merchantId: 'm_1' } } } as never)).toBeUndefined();
    expect(changeOf({ topic: 'billing_subscription.updated', outboxId: '1', payload: {} } as never)).toBeUndefined();
  });
});
