// Outbound webhooks under faults (issue 19), against Handoff's real processes
// (bench/src/harness/harness.ts): 1,000 events committed to the merchant outbox over ~40 s while
// the merchant's receiver fails half its calls (500s and timeouts) for 60 s, and the merchant
// worker — the process delivering webhooks — is SIGKILLed once mid-stream and started again.
// Every event must reach the receiver, signed with the endpoint's secret, and no event may
// arrive more often than the delivery log says it was attempted (an attempt cut short by the kill
// is logged `interrupted`). Short backoff through configuration only: WEBHOOK_RETRY_BASE_MS,
// WEBHOOK_DELIVERY_TIMEOUT_MS and the sweep interval of this run's processes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultHandoff, type FaultHandoff } from '../../bench/src/harness/harness.js';
import { deliveryLog, merchantWithEndpoint, startOutboundReceiver, WebhookEventProducer, type OutboundReceiver, type ReceiverMode } from '../../bench/src/harness/outbound-webhooks.js';

const EVENTS = 1000;
const PER_SECOND = 25;
const FAILING_MS = 60_000;
/** At most this many failures in a row for one event: half the calls fail, yet each event's backoff stays short. */
const MAX_FAILURES_IN_A_ROW = 3;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe(`fault harness: ${EVENTS} outbound webhooks, a receiver failing half its calls for ${FAILING_MS / 1000} s, the merchant worker killed`, () => {
  let h: FaultHandoff;
  let receiver: OutboundReceiver;
  let producer: WebhookEventProducer;

  beforeAll(async () => {
    h = await startFaultHandoff({
      extraEnv: { WEBHOOK_RETRY_BASE_MS: '100', WEBHOOK_DELIVERY_TIMEOUT_MS: '1000', OUTBOUND_WEBHOOK_SWEEP_INTERVAL_MS: '1000' },
    });
    // A held call is answered after the sender's 1 s timeout.
    receiver = await startOutboundReceiver({ holdMs: 2500 });
  }, 180_000);
  afterAll(async () => {
    await producer?.close();
    await receiver?.close();
    await h?.stop();
  }, 60_000);

  it('delivers every event, signed, never more often than its logged attempts', async () => {
    const shop = await merchantWithEndpoint(h.graphqlUrl, h.adminKey, 'Outbound storm', `${receiver.origin}/hooks`);
    receiver.setSecret(shop.secret);
    producer = await new WebhookEventProducer(h.postgres.url, h.redis.url, h.env.QUEUE_PREFIX!).open();

    // Half the calls fail while the window is open (alternately 500 and a timeout), never more
    // than MAX_FAILURES_IN_A_ROW in a row for one event.
    const failingUntil = Date.now() + FAILING_MS;
    const streak = new Map<string, number>();
    let failures = 0;
    let calls = 0;
    receiver.setMode((eventId): ReceiverMode => {
      if (Date.now() >= failingUntil) return 'ok';
      calls += 1;
      const inARow = streak.get(eventId) ?? 0;
      if (inARow >= MAX_FAILURES_IN_A_ROW || Math.random() >= 0.5) {
        streak.set(eventId, 0);
        return 'ok';
      }
      streak.set(eventId, inARow + 1);
      failures += 1;
      return failures % 2 === 0 ? 'timeout' : 'error';
    });

    const eventIds: string[] = [];
    const producing = (async () => {
      for (let sent = 0; sent < EVENTS; sent += PER_SECOND) {
        const started = Date.now();
        eventIds.push(...(await producer.commit(shop.merchantId, Math.min(PER_SECOND, EVENTS - sent))).eventIds);
        await sleep(Math.max(0, 1000 - (Date.now() - started)));
      }
    })();

    // The kill, once deliveries are flowing: the worker's in-flight attempts are cut short.
    await until('a third of the events acknowledged', () => receiver.acknowledged.size >= EVENTS / 3, 120_000);
    await h.kill('merchant-worker', 2000);
    await producing;
    expect(eventIds).toHaveLength(EVENTS);

    await until('every event acknowledged', () => eventIds.every((id) => receiver.acknowledged.has(id)), 240_000);
    const failingCalls = calls;
    // Nothing pending is left behind (a delivery acknowledged but not yet recorded settles soon).
    const log = async () => deliveryLog((sql, params) => h.postgres.query(sql, params), shop.endpointId);
    await until('every delivery recorded SUCCEEDED', async () => (await log()).statuses.SUCCEEDED === EVENTS, 60_000);
    const { attempts, statuses } = await log();

    expect(statuses).toEqual({ SUCCEEDED: EVENTS });
    expect(attempts.size).toBe(EVENTS);
    expect(receiver.badSignatures).toBe(0);
    const overReceived = eventIds.filter((id) => (receiver.receipts.get(id)?.length ?? 0) > (attempts.get(id) ?? 0));
    expect(overReceived).toEqual([]);
    // Nothing the receiver got was not one of ours.
    expect([...receiver.receipts.keys()].filter((id) => !eventIds.includes(id))).toEqual([]);
    // The faults happened: about half the calls in the window failed, and some events needed several attempts.
    expect(failures).toBeGreaterThan(failingCalls / 4);
    expect([...attempts.values()].some((n) => n > 2)).toBe(true);
    const interrupted = await h.postgres.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM merchant.webhook_delivery_attempts WHERE error = 'interrupted'`,
    );
    console.log(
      `outbound storm: ${EVENTS} events, ${receiver.calls} calls (${failures} failed on purpose of ${failingCalls} in the window), ` +
        `${[...attempts.values()].reduce((a, b) => a + b, 0)} attempts logged (${interrupted[0]!.n} interrupted by the kill)`,
    );
    expect(h.crashes().filter((c) => !c.duringStart)).toEqual([]);
  }, 420_000);
});
