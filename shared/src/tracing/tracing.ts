// Distributed tracing (OpenTelemetry), on only when an OTLP endpoint is configured
// (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; docs/api.md "Tracing").
// This module needs @opentelemetry/api alone: while tracing is off every helper here is a check of
// one boolean or the API's no-op, and the SDK (sdk.ts: providers, exporters, the async context
// manager) is never loaded. startTracing() loads it, once per process.
//
// Components: one process may run several (`npm start` runs the gateway, the four subgraphs and
// their workers together), so every span names its component (a tracer per component, whose
// resource's `service.name` is `handoff-<component>` unless OTEL_SERVICE_NAME says otherwise).
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';

export { SpanKind, SpanStatusCode, type Span, type Context } from '@opentelemetry/api';

import type { TracingOptions, TracingSdk } from './tracing-sdk.js';

let sdk: TracingSdk | undefined;
let starting: Promise<boolean> | undefined;

/** Whether the environment turns tracing on: an OTLP endpoint is set (and the SDK is not disabled). */
export function tracingConfigured(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return false;
  if ((env.OTEL_TRACES_EXPORTER ?? '').trim().toLowerCase() === 'none') return false;
  return !!(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim());
}

/**
 * Starts tracing for this process when the environment asks for it (tracingConfigured): loads the
 * SDK, registers the W3C propagator and the async context manager (`asyncContext: false`: a
 * synchronous one, for a process that passes contexts along itself: the gateway). Idempotent;
 * resolves to whether tracing is on. The OTEL_* variables are the SDK's own (read from process.env).
 */
export function startTracing(env: Readonly<Record<string, string | undefined>> = process.env, opts: TracingOptions = {}): Promise<boolean> {
  if (!tracingConfigured(env)) return Promise.resolve(false);
  starting ??= import('./sdk.js').then((m) => {
    sdk = m.createTracingSdk(env, opts);
    return true;
  });
  // A later start that needs async context (a component sharing the process) gets it.
  if (opts.asyncContext !== false) return starting.then((on) => (sdk?.useAsyncContext(), on));
  return starting;
}

/** Whether spans are being made in this process. */
export function tracingOn(): boolean {
  return sdk !== undefined;
}

/** Exports what is buffered (at a stop, or in a test waiting for spans). */
export async function flushTracing(): Promise<void> {
  await sdk?.flush();
}

/** Flushes and stops the exporter (a process's last step). */
export async function shutdownTracing(): Promise<void> {
  const s = sdk;
  sdk = undefined;
  starting = undefined;
  await s?.shutdown();
}

const noopTracer = trace.getTracer('handoff-noop');

/** The tracer of one component (`gateway`, `merchant`, …): the API's no-op while tracing is off. */
export function tracerFor(component: string): Tracer {
  return sdk ? sdk.tracer(component) : noopTracer;
}

/** The component whose work is running (set by the span that entered it: a subgraph's request, a job). */
const COMPONENT = Symbol.for('handoff.tracing.component');

export function componentOf(ctx: Context = context.active()): string | undefined {
  return ctx.getValue(COMPONENT) as string | undefined;
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The parent (default: the active context). */
  parent?: Context;
}

/**
 * Runs `fn` inside a new span of `component` (the active one's child, or `opts.parent`'s), ending
 * it when `fn` settles; a thrown error marks it failed. While tracing is off: `fn` alone.
 */
export function withSpan<T>(component: string, name: string, opts: SpanOptions, fn: (span: Span | undefined) => Promise<T>): Promise<T> {
  const started = startSpan(component, name, opts);
  if (!started) return fn(undefined);
  const { span, ctx } = started;
  return context.with(ctx, () => fn(span)).then(
    (value) => {
      span.end();
      return value;
    },
    (err: unknown) => {
      failSpan(span, err);
      span.end();
      throw err;
    },
  );
}

/** Marks `span` failed with `err` (recorded as an exception event). */
export function failSpan(span: Span, err: unknown): void {
  if (err instanceof Error) span.recordException(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/** The context a W3C `traceparent` (and `tracestate`) continues; the root context for none or a malformed one. */
export function contextFromHeaders(headers: Readonly<Record<string, unknown>>): Context {
  if (!sdk || typeof headers.traceparent !== 'string') return ROOT_CONTEXT;
  const carrier: Record<string, string> = { traceparent: headers.traceparent };
  if (typeof headers.tracestate === 'string') carrier.tracestate = headers.tracestate;
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/** The context a stored `traceparent` continues (an outbox row's, a job's): the active one when none. */
export function contextFromTraceparent(traceparent: unknown): Context {
  if (!sdk || typeof traceparent !== 'string') return context.active();
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}

/** The `traceparent` (and `tracestate`) headers of `ctx` (default: the active context); none while off or outside a trace. */
export function traceHeaders(ctx?: Context): Record<string, string> | undefined {
  if (!sdk) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(ctx ?? context.active(), carrier);
  return carrier.traceparent ? carrier : undefined;
}

/** The active trace's `traceparent`, to store beside work that continues it later (an outbox row, a job). */
export function currentTraceparent(): string | undefined {
  return sdk ? traceHeaders()?.traceparent : undefined;
}

/** The active trace's id (for log lines); undefined outside a trace or while off. */
export function currentTraceId(): string | undefined {
  if (!sdk) return undefined;
  const sc = trace.getSpanContext(context.active());
  return sc && trace.isSpanContextValid(sc) ? sc.traceId : undefined;
}

/**
 * Starts a span of `component` under `opts.parent` (default: the active context) without entering
 * it: for code that keeps the context itself (the gateway passes it along, it keeps no async
 * context) or enters it later (`runIn`). Undefined while tracing is off.
 */
export function startSpan(component: string, name: string, opts: SpanOptions = {}): { span: Span; ctx: Context } | undefined {
  if (!sdk) return undefined;
  const parent = opts.parent ?? context.active();
  const span = sdk.tracer(component).startSpan(name, { kind: opts.kind ?? SpanKind.INTERNAL, attributes: opts.attributes }, parent);
  return { span, ctx: trace.setSpan(parent, span).setValue(COMPONENT, component) };
}

/**
 * A request's server span, for a process that keeps contexts itself (the gateway): the sampler
 * decides on the parent and trace id alone (as the standard samplers do), and only a span that
 * records is then named, given `attributes()` and a context; for the others (99 % at 1 %
 * sampling) this is the decision and two ids, and `headers` is the traceparent (not sampled) that
 * tells the callees not to sample a trace of their own. Undefined while tracing is off.
 */
export function startRequestSpan(
  component: string,
  parent: Context,
  name: () => string,
  attributes: () => Attributes,
): { recording: true; span: Span; ctx: Context } | { recording: false; headers: () => Record<string, string> | undefined } | undefined {
  if (!sdk) return undefined;
  const span = sdk.tracer(component).startSpan('request', { kind: SpanKind.SERVER }, parent);
  if (!span.isRecording()) {
    let headers: Record<string, string> | undefined | null = null;
    return { recording: false, headers: () => (headers === null ? (headers = traceHeaders(trace.setSpan(parent, span))) : headers) };
  }
  span.updateName(name());
  span.setAttributes(attributes());
  return { recording: true, span, ctx: trace.setSpan(parent, span).setValue(COMPONENT, component) };
}

/** Runs `fn` in `ctx` (a context startSpan made): its spans, statements and log lines belong to that span. */
export function runIn<T>(ctx: Context, fn: () => T): T {
  return context.with(ctx, fn);
}

/**
 * Binds `emitter`'s listeners to `ctx`: a request's 'data' and 'end' handlers (body parsers) run
 * in the request's context, not the socket's.
 */
export function bindEmitter<E extends NodeJS.EventEmitter>(ctx: Context, emitter: E): E {
  return sdk ? context.bind(ctx, emitter) : emitter;
}

/** Whether `span` records (sampled): an unsampled trace's children are not worth making. */
export function recording(ctx: Context): boolean {
  return trace.getSpan(ctx)?.isRecording() ?? false;
}
