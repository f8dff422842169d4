// A tiny OTLP/HTTP trace receiver for tests: POST /v1/traces, `http/protobuf` (decoded with the
// OTLP protobuf definitions @opentelemetry/otlp-transformer ships) or `http/json`. It keeps every
// span it is sent, flattened with its resource's service name, for tests to wait on.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  service: string;
  attributes: Record<string, unknown>;
  /** The content type it came with. */
  via: 'protobuf' | 'json';
}

export interface OtlpReceiver {
  /** The base URL (OTEL_EXPORTER_OTLP_ENDPOINT: exporters add /v1/traces). */
  url: string;
  spans: ReceivedSpan[];
  /** Export requests that were not understood. */
  refused: number;
  close(): Promise<void>;
}

interface ExportRequest {
  decode(buf: Uint8Array): unknown;
}
const generated = createRequire(import.meta.url)('@opentelemetry/otlp-transformer/build/src/generated/root.js') as {
  opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: ExportRequest } } } } };
};
const ExportTraceServiceRequest = generated.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

const hex = (v: unknown): string => (typeof v === 'string' ? v : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : '');

function anyValue(v: any): unknown {
  if (!v) return undefined;
  if ('stringValue' in v && v.stringValue != null) return v.stringValue;
  if ('intValue' in v && v.intValue != null) return Number(v.intValue);
  if ('boolValue' in v && v.boolValue != null) return v.boolValue;
  if ('doubleValue' in v && v.doubleValue != null) return v.doubleValue;
  return undefined;
}

function attributesOf(list: any[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

function flatten(request: any, via: ReceivedSpan['via']): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const service = String(attributesOf(rs.resource?.attributes)['service.name'] ?? '');
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        spans.push({
          traceId: hex(s.traceId),
          spanId: hex(s.spanId),
          parentSpanId: hex(s.parentSpanId),
          name: s.name,
          kind: s.kind,
          service,
          attributes: attributesOf(s.attributes),
          via,
        });
      }
    }
  }
  return spans;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const receiver: OtlpReceiver = { url: '', spans: [], refused: 0, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const type = req.headers['content-type'] ?? '';
      try {
        if (req.method !== 'POST' || req.url !== '/v1/traces') throw new Error(`unexpected ${req.method} ${req.url}`);
        if (type.startsWith('application/json')) receiver.spans.push(...flatten(JSON.parse(body.toString('utf8')), 'json'));
        else if (type.startsWith('application/x-protobuf')) receiver.spans.push(...flatten(ExportTraceServiceRequest.decode(body), 'protobuf'));
        else throw new Error(`unexpected content type ${type}`);
        res.writeHead(200, { 'content-type': type.startsWith('application/json') ? 'application/json' : 'application/x-protobuf' });
        res.end(type.startsWith('application/json') ? '{}' : '');
      } catch {
        receiver.refused += 1;
        res.writeHead(400).end();
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return receiver;
}
