// An outbox row written inside a trace keeps the trace's traceparent in its payload; the relay's
// job data takes it out, so consumers' payloads never carry it. Tracing off: the payload as given.
import { describe, expect, it } from 'vitest';
import { OUTBOX_TRACEPARENT_KEY, splitStoredPayload, tracedPayload } from './outbox.js';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('the outbox and tracing', () => {
  it('stores the payload untouched while tracing is off', () => {
    const payload = { id: 'pi_1', amount: 100 };
    expect(tracedPayload(payload)).toBe(payload);
  });

  it("moves a stored traceparent out of the payload, leaving the consumer's fields as written", () => {
    expect(splitStoredPayload({ id: 'pi_1', nested: { a: 1 }, [OUTBOX_TRACEPARENT_KEY]: TRACEPARENT })).toEqual({
      payload: { id: 'pi_1', nested: { a: 1 } },
      traceparent: TRACEPARENT,
    });
    const plain = { id: 'pi_2' };
    expect(splitStoredPayload(plain)).toEqual({ payload: plain });
    // Not a string (never written so): dropped from the payload, not passed on.
    expect(splitStoredPayload({ id: 'pi_3', [OUTBOX_TRACEPARENT_KEY]: 42 })).toEqual({ payload: { id: 'pi_3' } });
  });
});
