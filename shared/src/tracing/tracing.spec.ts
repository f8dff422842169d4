// Tracing is off, and costs nothing, unless an OTLP endpoint is set: a process that starts
// tracing without one never loads the OpenTelemetry SDK (only @opentelemetry/api, whose no-ops the
// helpers fall back to). With one, the SDK is loaded and spans reach the endpoint, here over
// `http/json`, continuing a given traceparent, with the log line written inside carrying its id.
// Child processes (built output, as the gateway and subgraphs run it): each has a process of its own.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../../../test/support/otlp-receiver.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dist = (file: string) => pathToFileURL(path.join(root, file)).href;
const SDK_PACKAGES = [
  '@opentelemetry/sdk-trace-base',
  '@opentelemetry/sdk-trace-node',
  '@opentelemetry/exporter-trace-otlp-proto',
  '@opentelemetry/exporter-trace-otlp-http',
  '@opentelemetry/context-async-hooks',
  '@opentelemetry/resources',
];

/** Runs a module script in a child; it records every package it resolves and prints { result, packages }. */
function runChild(body: string, env: Record<string, string | undefined>): Promise<{ result: any; packages: string[] }> {
  const hooks = `let port;
    export function initialize(data) { port = data.port; port.on('message', () => port.postMessage({ flushed: true })); port.unref(); }
    export async function resolve(specifier, context, next) { const r = await next(specifier, context); port.postMessage({ url: r.url }); return r; }`;
  const script = `
    import { createRequire, register } from 'node:module';
    import { MessageChannel } from 'node:worker_threads';
    const { port1, port2 } = new MessageChannel();
    const urls = new Set();
    let flushed;
    port1.on('message', (m) => (m.url ? urls.add(m.url) : flushed()));
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}), { data: { port: port2 }, transferList: [port2] });
    const result = await (async () => { ${body} })();
    await new Promise((r) => { flushed = r; port1.postMessage('flush'); });
    port1.close();
    const packages = new Set();
    for (const u of [...urls, ...Object.keys(createRequire(import.meta.url).cache)]) {
      const m = /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(decodeURIComponent(u));
      if (m) packages.add(m[1].replace('\\\\', '/'));
    }
    process.stdout.write(JSON.stringify({ result, packages: [...packages] }));`;
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) if (v !== undefined && !(k.startsWith('OTEL_') && !(k in env))) childEnv[k] = v;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: root, env: childEnv, encoding: 'utf8', timeout: 25_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

const flow = (startArgs: string) => `
  const t = await import(${JSON.stringify(dist('shared/dist/tracing/tracing.js'))});
  const { context } = await import('@opentelemetry/api');
  const { createLogger } = await import(${JSON.stringify(dist('shared/dist/logging/logger.js'))});
  await import(${JSON.stringify(dist('gateway/dist/tracing/request-spans.js'))});
  const { Writable } = await import('node:stream');
  const lines = [];
  const logger = createLogger('probe', 'info', new Writable({ write(chunk, _e, cb) { lines.push(JSON.parse(String(chunk))); cb(); } }));
  const on = await t.startTracing(${startArgs});
  const manager = context['_getContextManager']().constructor.name;
  const parent = t.contextFromHeaders({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
  const inside = await t.withSpan('probe', 'probe work', { parent }, async () => { logger.info('inside'); return t.currentTraceparent() ?? null; });
  await t.shutdownTracing();
  return { on, inside, lines, manager };`;
const FLOW = flow('');

describe('tracing on only with an OTLP endpoint', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    expect(existsSync(path.join(root, 'shared/dist/tracing/tracing.js')), 'shared/dist is missing: run `npm run build` first').toBe(true);
    receiver = await startOtlpReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it('without an endpoint: off, the SDK never loaded, spans are no-ops and log lines carry no trace_id', async () => {
    const { result, packages } = await runChild(FLOW, {});
    expect(packages).toContain('pino'); // the probe sees packages at all
    expect(packages).toContain('@opentelemetry/api');
    expect(packages.filter((p) => SDK_PACKAGES.includes(p))).toEqual([]);
    expect(result).toMatchObject({ on: false, inside: null });
    expect(result.lines).toEqual([expect.not.objectContaining({ trace_id: expect.anything() })]);
  });

  it('OTEL_SDK_DISABLED=true wins over an endpoint', async () => {
    const { result, packages } = await runChild(FLOW, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SDK_DISABLED: 'true' });
    expect(result.on).toBe(false);
    expect(packages.filter((p) => SDK_PACKAGES.includes(p))).toEqual([]);
  });

  it('with OTEL_EXPORTER_OTLP_TRACES_ENDPOINT and http/json: the span reaches the receiver in the given trace, the log line carries its trace_id', async () => {
    const { result, packages } = await runChild(FLOW, {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'probe-service',
    });
    expect(packages).toEqual(expect.arrayContaining(['@opentelemetry/sdk-trace-base', '@opentelemetry/exporter-trace-otlp-http']));
    expect(result.on).toBe(true);
    expect(result.inside).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    expect(result.lines).toEqual([expect.objectContaining({ msg: 'inside', trace_id: '0af7651916cd43dd8448eb211c80319c' })]);
    // Shut down before the child printed: the export has been answered.
    expect(receiver.spans).toEqual([
      expect.objectContaining({ traceId: '0af7651916cd43dd8448eb211c80319c', parentSpanId: 'b7ad6b7169203331', name: 'probe work', service: 'probe-service', via: 'json' }),
    ]);
    expect(result.manager).toBe('AsyncLocalStorageContextManager');
  });

  it("the gateway's start (asyncContext: false): no AsyncLocalStorage, and a span's traceparent and log lines still carry the trace where it is entered", async () => {
    const before = receiver.spans.length;
    const { result } = await runChild(flow('process.env, { asyncContext: false }'), {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'probe-gateway',
    });
    expect(result.on).toBe(true);
    expect(result.manager).toBe('SyncContextManager');
    expect(result.inside).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    expect(result.lines).toEqual([expect.objectContaining({ msg: 'inside', trace_id: '0af7651916cd43dd8448eb211c80319c' })]);
    expect(receiver.spans.slice(before)).toEqual([
      expect.objectContaining({ traceId: '0af7651916cd43dd8448eb211c80319c', parentSpanId: 'b7ad6b7169203331', name: 'probe work', service: 'probe-gateway' }),
    ]);
  });
});
