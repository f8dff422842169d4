// Distributed tracing end to end: Handoff started with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a
// local OTLP/HTTP receiver (protobuf, the default protocol), an agent checkout sent with a
// client's W3C traceparent, a payment whose sandbox PSP webhook comes back through the gateway.
// The receiver must get one trace per request across the gateway, the subgraphs, PostgreSQL and
// the workers the outbox feeds: the client's trace id kept, the webhook's trace continued through
// payment-intent's ingest job into the ledger's worker; and log lines carry the trace id.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($id: ID!) { connectPaymentProcessor(merchantId: $id, input: { provider: TEST }) { status } }`;
const CREATE_OFFER = `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`;
const REGISTER_AGENT = `mutation { registerAgent(input: { name: "Traced" }) { id } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const START = `mutation { startAgentSession { id } }`;
const RECOMMEND = `mutation($input: RecommendInput!) { recommend(input: $input) { id } }`;
const CHECKOUT = `mutation($input: CheckoutInput!) { checkout(input: $input) { transactionId paymentId merchant { name } offer { name } } }`;
const CONFIRM = `mutation($id: ID!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: "4242424242424242" }) { id status } }`;

const SPAN_WAIT = { timeout: 30_000, interval: 200 };

/** Lines written to stdout (pino's destination) while the stack runs, kept to be read back. */
function captureStdout(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const original = { write: fs.write, writeSync: fs.writeSync };
  const keep = (fd: unknown, data: unknown) => {
    if (fd === 1 && (typeof data === 'string' || Buffer.isBuffer(data))) lines.push(...String(data).split('\n').filter(Boolean));
  };
  (fs as { writeSync: unknown }).writeSync = (fd: number, data: unknown, ...rest: unknown[]) => {
    keep(fd, data);
    return (original.writeSync as (...a: unknown[]) => number)(fd, data, ...rest);
  };
  (fs as { write: unknown }).write = (fd: number, data: unknown, ...rest: unknown[]) => {
    keep(fd, data);
    return (original.write as (...a: unknown[]) => void)(fd, data, ...rest);
  };
  return {
    lines,
    restore: () => {
      (fs as { writeSync: unknown }).writeSync = original.writeSync;
      (fs as { write: unknown }).write = original.write;
    },
  };
}

describe('tracing: one trace per request across every hop (OTLP http/protobuf)', () => {
  let receiver: OtlpReceiver;
  let handoff: RunningHandoff;
  let stdout: ReturnType<typeof captureStdout>;
  let agent: GqlClient;
  let merchant: GqlClient;
  let offerId: string;
  const saved = { ...process.env };

  const inTrace = (traceId: string) => receiver.spans.filter((s) => s.traceId === traceId);
  const services = (spans: ReceivedSpan[]) => [...new Set(spans.map((s) => s.service))].sort();

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    // The standard variables, read by the SDK the launcher starts (one per process).
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/protobuf';
    process.env.OTEL_BSP_SCHEDULE_DELAY = '100';
    process.env.OTEL_TRACES_SAMPLER = 'parentbased_always_on';
    delete process.env.OTEL_SERVICE_NAME;
    stdout = captureStdout();
    handoff = await startTestHandoff({ logLevel: 'warn' });
    const anon = new GqlClient(handoff.graphqlUrl);
    const admin = anon.as(handoff.adminKey);
    const merchantId = (
      await admin.ok(CREATE_MERCHANT, {
        input: { name: 'Traced Ltd', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 }, conversionFlow: { type: 'instant_checkout' } },
      })
    ).createMerchant.id;
    await admin.ok(CONNECT, { id: merchantId });
    offerId = (await admin.ok(CREATE_OFFER, { input: { merchantId, name: 'Plan', price: { amountMinor: 1999, currency: 'GBP' } } })).createOffer.id;
    const agentId = (await admin.ok(REGISTER_AGENT)).registerAgent.id;
    agent = anon.as((await admin.ok(CREATE_KEY, { input: { role: 'AGENT', agentId } })).createApiKey.key);
    merchant = anon.as((await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId } })).createApiKey.key);
  });

  afterAll(async () => {
    await handoff?.stop();
    stdout?.restore();
    await receiver?.close();
    process.env = saved;
  });

  it("an agent checkout keeps the client's trace id across the gateway, the subgraphs, PostgreSQL and an outbox-fed worker; the PSP webhook's trace runs into the ledger's worker", async () => {
    const sessionId = (await agent.ok(START)).startAgentSession.id;
    const recommendationId = (await agent.ok(RECOMMEND, { input: { sessionId, offerId } })).recommend.id;

    const traceId = randomBytes(16).toString('hex');
    const clientSpanId = randomBytes(8).toString('hex');
    const traced = agent.withHeaders({ traceparent: `00-${traceId}-${clientSpanId}-01` });
    const out = (await traced.ok(CHECKOUT, { input: { sessionId, recommendationId } })).checkout;
    expect(out.merchant.name).toBe('Traced Ltd');

    // The gateway's request span is the client's span's child; the subgraphs' spans are in its trace.
    await expect
      .poll(() => services(inTrace(traceId)), SPAN_WAIT)
      .toEqual(expect.arrayContaining(['handoff-gateway', 'handoff-checkout-session', 'handoff-merchant']));
    const gatewaySpan = () => inTrace(traceId).find((s) => s.service === 'handoff-gateway' && s.name === 'POST /graphql');
    await expect.poll(() => gatewaySpan()?.parentSpanId, SPAN_WAIT).toBe(clientSpanId);
    expect(gatewaySpan()?.attributes['http.response.status_code']).toBe(200);
    // Each subgraph call is the gateway span's child, and the subgraph's server span the call's.
    const calls = inTrace(traceId).filter((s) => s.service === 'handoff-gateway' && s.parentSpanId === gatewaySpan()!.spanId);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    const callIds = new Set(calls.map((c) => c.spanId));
    expect(inTrace(traceId).filter((s) => s.name === 'POST /graphql' && callIds.has(s.parentSpanId)).map((s) => s.service)).toEqual(
      expect.arrayContaining(['handoff-checkout-session', 'handoff-merchant']),
    );
    // PostgreSQL statements of the checkout, and a worker the checkout's outbox rows fed.
    await expect.poll(() => inTrace(traceId).some((s) => s.name.startsWith('pg ') && s.service === 'handoff-checkout-session'), SPAN_WAIT).toBe(true);
    await expect.poll(() => inTrace(traceId).some((s) => s.service.endsWith('-worker') && s.name.endsWith(' process')), SPAN_WAIT).toBe(true);
    expect(inTrace(traceId).some((s) => s.name.startsWith('outbox ') && s.name.endsWith(' publish'))).toBe(true);
    // The checkout's outbox rows kept the trace (in their payload, for the relay to take out).
    const db = new pg.Client({ connectionString: handoff.env.DATABASE_URL });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM checkout.outbox WHERE payload->>'_traceparent' LIKE $1`, [`00-${traceId}-%`]);
      expect(rows[0].n).toBeGreaterThan(0);
    } finally {
      await db.end();
    }

    // The payment: the sandbox PSP's webhook arrives at the gateway (a trace of its own: the PSP
    // sends no traceparent) and its trace continues through payment-intent into the ledger's worker.
    const confirmed = (await merchant.ok(CONFIRM, { id: out.paymentId })).confirmPaymentIntent;
    expect(confirmed.status).toBe('SUCCEEDED');
    const webhookTraceIds = () =>
      [...new Set(receiver.spans.filter((s) => s.service === 'handoff-gateway' && String(s.attributes['url.path'] ?? '').startsWith('/webhooks/')).map((s) => s.traceId))];
    const reachedLedger = () =>
      webhookTraceIds().find((id) => inTrace(id).some((s) => s.service === 'handoff-conversion-ledger-worker' && s.name === 'ledger-payment-events process'));
    await expect.poll(reachedLedger, SPAN_WAIT).toEqual(expect.any(String));
    const webhookTrace = inTrace(reachedLedger()!);
    expect(services(webhookTrace)).toEqual(
      expect.arrayContaining(['handoff-gateway', 'handoff-payment-intent', 'handoff-payment-intent-worker', 'handoff-conversion-ledger-worker']),
    );
    expect(webhookTrace.some((s) => s.name === 'webhook-ingest process')).toBe(true);
    expect(receiver.spans.every((s) => s.via === 'protobuf')).toBe(true);
    expect(receiver.refused).toBe(0);
  });

  it('a log line written inside a trace carries its trace_id', async () => {
    // A call straight to a subgraph, unsigned, with a traceparent: the subgraph continues the
    // trace, refuses the call and logs the refusal (a warning) inside it.
    const traceId = randomBytes(16).toString('hex');
    const subgraph = handoff.subgraphs.find((s) => s.name === 'payment-intent')!;
    const res = await fetch(subgraph.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(res.status).toBe(401);
    await expect
      .poll(() => stdout.lines.filter((l) => l.includes(traceId)).map((l) => JSON.parse(l) as Record<string, unknown>), SPAN_WAIT)
      .toEqual([expect.objectContaining({ trace_id: traceId, msg: 'rejected unsigned or invalid subgraph call' })]);
    await expect.poll(() => inTrace(traceId).map((s) => [s.service, s.attributes['http.response.status_code']]), SPAN_WAIT).toEqual([['handoff-payment-intent', 401]]);
  });
});
