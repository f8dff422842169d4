// The OpenTelemetry SDK, loaded by startTracing() (tracing.ts) only when an OTLP endpoint is set.
// One exporter and one batch processor per process; one tracer provider per component, each with
// its own resource (`service.name` handoff-<component>, or OTEL_SERVICE_NAME), so `npm start`'s
// single process still shows the gateway, each subgraph and their workers as services of their
// own. No global tracer provider is registered: only Handoff's own spans are made (the
// @apollo/gateway fallback's spans stay no-ops), at the hops Handoff chooses. The sampler
// (OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG; default parentbased_always_on), the batch
// processor (OTEL_BSP_*) and the exporter (OTEL_EXPORTER_OTLP_*) read their standard variables.
import { context, diag, DiagConsoleLogger, DiagLogLevel, propagation, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { detectResourcesSync, envDetectorSync, hostDetectorSync, Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { SyncContextManager } from './sync-context.js';
import type { TracingOptions, TracingSdk } from './tracing-sdk.js';

/** `http/protobuf` (default) or `http/json`; gRPC is not offered (Jaeger and the Collector take OTLP/HTTP). */
export function otlpProtocol(env: Readonly<Record<string, string | undefined>> = process.env): 'http/protobuf' | 'http/json' {
  const asked = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf').trim().toLowerCase();
  if (asked === 'http/json') return 'http/json';
  if (asked !== 'http/protobuf') diag.warn(`OTEL_EXPORTER_OTLP_PROTOCOL=${asked} is not supported by Handoff: exporting http/protobuf`);
  return 'http/protobuf';
}

function exporterFor(env: Readonly<Record<string, string | undefined>>): SpanExporter {
  return otlpProtocol(env) === 'http/json' ? new OTLPJsonExporter() : new OTLPProtoExporter();
}

export function createTracingSdk(env: Readonly<Record<string, string | undefined>> = process.env, opts: TracingOptions = {}): TracingSdk {
  // Export failures (the collector away) are logged, not thrown into request paths.
  diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.ERROR);
  // The async context manager (AsyncLocalStorage: a context follows every await) unless the process
  // keeps none (the gateway): then a synchronous one, which turns on no promise hooks.
  let asyncContext = opts.asyncContext !== false;
  context.setGlobalContextManager(asyncContext ? new AsyncLocalStorageContextManager().enable() : new SyncContextManager());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const processor: SpanProcessor = new BatchSpanProcessor(exporterFor(env));
  const base = Resource.default().merge(detectResourcesSync({ detectors: [envDetectorSync, hostDetectorSync] }));
  const serviceName = env.OTEL_SERVICE_NAME?.trim();
  const providers = new Map<string, NodeTracerProvider>();
  const tracers = new Map<string, Tracer>();
  return {
    tracer(component) {
      let tracer = tracers.get(component);
      if (!tracer) {
        const resource = base.merge(
          new Resource({ 'service.name': serviceName || `handoff-${component}`, 'service.namespace': 'handoff', 'handoff.component': component }),
        );
        const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
        providers.set(component, provider);
        tracer = provider.getTracer(`handoff-${component}`);
        tracers.set(component, tracer);
      }
      return tracer;
    },
    useAsyncContext() {
      if (asyncContext) return;
      asyncContext = true;
      context.disable();
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    },
    flush: () => processor.forceFlush(),
    shutdown: async () => {
      // The providers share the processor: shut it down once.
      await processor.shutdown();
      providers.clear();
      tracers.clear();
      context.disable();
      propagation.disable();
    },
  };
}
