// The gateway's server span at a 50 % ratio (parentbased_traceidratio 0.5): every request's decision
// is the one the standard sampler gives for the trace id its callees receive (an unsampled
// request's traceparent, flag 00, carries a trace id the ratio leaves out, a sampled one's, flag 01,
// one it takes), about half are sampled, and exactly the sampled requests' server spans reach the
// receiver, under that id.
// A client's unsampled traceparent is followed (its trace id, flag 00, its tracestate), with nothing recorded.
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ROOT_CONTEXT, SamplingDecision, SpanKind } from '@opentelemetry/api';
import { TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushTracing, shutdownTracing, startTracing } from '@handoff/shared/tracing/tracing';
import { startOtlpReceiver, type OtlpReceiver } from '../../../test/support/otlp-receiver.js';
import { traceGatewayRequests, traceSubgraphCall } from './request-spans.js';

const SUBGRAPH = 'http://127.0.0.1:4001/graphql';

function request(headers: Record<string, string>): Record<string, string> | undefined {
  const res = Object.assign(new EventEmitter(), { statusCode: 200 });
  let sent: Record<string, string> | undefined;
  const listener = traceGatewayRequests((req) => {
    const call = traceSubgraphCall(String(req.headers['x-request-id']), SUBGRAPH);
    sent = call ? { ...call.headers } : undefined;
    call?.end('ok');
  });
  listener({ url: '/graphql', method: 'POST', headers } as unknown as IncomingMessage, res as unknown as ServerResponse);
  res.emit('finish');
  res.emit('close');
  return sent;
}

describe('gateway request spans at a 50 % ratio', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    Object.assign(process.env, {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.5',
    });
    expect(await startTracing(process.env, { asyncContext: false })).toBe(true);
  });
  afterAll(async () => {
    await shutdownTracing();
    await receiver?.close();
  });

  it('each root request is sampled exactly when the ratio takes the trace id its callees receive', async () => {
    const ratio = new TraceIdRatioBasedSampler(0.5);
    const sampled: string[] = [];
    const unsampled: string[] = [];
    for (let i = 0; i < 400; i++) {
      const traceparent = request({ 'x-request-id': `req-ratio-${i}` })?.traceparent;
      const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/.exec(traceparent ?? '');
      expect(m, traceparent).not.toBeNull();
      const decision = ratio.shouldSample(ROOT_CONTEXT, m![1]!, 'request', SpanKind.SERVER, {}, []).decision;
      if (m![3] === '01') {
        expect(decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
        sampled.push(m![1]!);
      } else {
        expect(decision).toBe(SamplingDecision.NOT_RECORD);
        unsampled.push(m![1]!);
      }
    }
    // About half: 200 ± 10 (binomial). A decision taken twice on two trace ids (e.g. a pre-check with
    // one id, the SDK's span with another) would sample ~100 (0.5 × 0.5), and this fails.
    expect(sampled.length).toBeGreaterThan(150);
    expect(sampled.length).toBeLessThan(250);
    await flushTracing();
    const servers = receiver.spans.filter((s) => s.name === 'POST /graphql');
    expect(new Set(servers.map((s) => s.traceId))).toEqual(new Set(sampled));
    for (const id of unsampled) expect(receiver.spans.some((s) => s.traceId === id)).toBe(false);
  });

  it("a client's unsampled traceparent: followed (trace id, flag 00, tracestate), nothing recorded", async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const before = receiver.spans.length;
    const sent = request({ traceparent: `00-${traceId}-b7ad6b7169203331-00`, tracestate: 'vendor=x', 'x-request-id': 'req-client-unsampled' });
    expect(sent?.traceparent).toMatch(new RegExp(`^00-${traceId}-(?!b7ad6b7169203331)[0-9a-f]{16}-00$`));
    expect(sent?.tracestate).toBe('vendor=x');
    await flushTracing();
    expect(receiver.spans.slice(before).filter((s) => s.traceId === traceId)).toEqual([]);
  });
});
