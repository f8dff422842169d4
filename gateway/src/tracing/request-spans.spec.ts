// The gateway's request spans with tracing on and roots never sampled (parentbased_traceidratio 0):
// an unsampled request's subgraph calls carry its traceparent, not sampled (one per request, the
// same on every call), and nothing is recorded or kept once it closes; a client's sampled
// traceparent is followed: a named server span with its attributes, and a client span per call
// under it whose traceparent goes to the subgraph.
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushTracing, shutdownTracing, startTracing } from '@handoff/shared/tracing/tracing';
import { startOtlpReceiver, type OtlpReceiver } from '../../../test/support/otlp-receiver.js';
import { traceGatewayRequests, traceSubgraphCall } from './request-spans.js';

const SUBGRAPH = 'http://127.0.0.1:4001/graphql';

function request(headers: Record<string, string>, onRequest: (requestId: string) => void): EventEmitter & { statusCode: number } {
  const res = Object.assign(new EventEmitter(), { statusCode: 200 });
  const listener = traceGatewayRequests((req) => onRequest(String(req.headers['x-request-id'])));
  listener({ url: '/graphql', method: 'POST', headers } as unknown as IncomingMessage, res as unknown as ServerResponse);
  return res;
}

describe('gateway request spans, roots not sampled', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0',
    };
    Object.assign(process.env, env);
    expect(await startTracing(process.env, { asyncContext: false })).toBe(true);
  });
  afterAll(async () => {
    await shutdownTracing();
    await receiver?.close();
  });

  it('an unsampled request: its traceparent (not sampled) on every subgraph call, nothing recorded, nothing kept after close', async () => {
    let id = '';
    const headers: (Record<string, string> | undefined)[] = [];
    const res = request({ 'x-request-id': 'req-unsampled-1' }, (requestId) => {
      id = requestId;
      for (let i = 0; i < 2; i++) {
        const call = traceSubgraphCall(requestId, SUBGRAPH);
        headers.push(call?.headers);
        call?.end('ok');
      }
    });
    expect(id).toBe('req-unsampled-1');
    expect(headers[0]?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(headers[1]).toEqual(headers[0]);
    res.emit('close');
    expect(traceSubgraphCall(id, SUBGRAPH)).toBeUndefined();
    await flushTracing();
    expect(receiver.spans).toEqual([]);
  });

  it("a client's sampled traceparent: the server span (named, with attributes) and a client span per call under it", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    let sent: Record<string, string> | undefined;
    const res = request({ traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-request-id': 'req-sampled-1' }, (requestId) => {
      const call = traceSubgraphCall(requestId, SUBGRAPH);
      sent = call?.headers;
      call?.end('ok');
    });
    expect(sent?.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    res.emit('finish');
    res.emit('close');
    await flushTracing();
    const server = receiver.spans.find((s) => s.name === 'POST /graphql');
    expect(server).toMatchObject({ traceId, parentSpanId: '00f067aa0ba902b7', attributes: expect.objectContaining({ 'handoff.request_id': 'req-sampled-1', 'http.response.status_code': 200 }) });
    const client = receiver.spans.find((s) => s.name === 'POST 127.0.0.1:4001');
    expect(client).toMatchObject({ traceId, parentSpanId: server!.spanId });
    expect(sent!.traceparent).toContain(client!.spanId);
  });
});
