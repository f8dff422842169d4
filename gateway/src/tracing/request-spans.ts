// The gateway's spans (tracing on: shared/src/tracing): one server span per request, continuing
// a client's W3C `traceparent`, and a client span per subgraph call, whose traceparent goes to the
// subgraph. The gateway keeps no async context (request-id.ts: the promise hooks it would turn on
// cost every request CPU), so a request's trace context is kept by its request id, which already
// travels with every subgraph call it makes (the `x-request-id` header). Tracing off: the listener
// is the one given and a subgraph call only asks one boolean.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { REQUEST_ID_HEADER, requestIdFrom } from '@handoff/shared/logging/logger';
import { requestSpanName } from '@handoff/shared/tracing/http-spans';
import {
  contextFromHeaders,
  failSpan,
  SpanKind,
  SpanStatusCode,
  startRequestSpan,
  startSpan,
  traceHeaders,
  tracingOn,
  type Context,
  type Span,
} from '@handoff/shared/tracing/tracing';

const COMPONENT = 'gateway';

/**
 * Request id → that request's trace while it runs: the context of its span when sampled, else
 * the traceparent (not sampled) its subgraph calls carry, made once at the first call.
 */
type RequestTrace = { ctx: Context } | { headers: () => Record<string, string> | undefined; call?: SubgraphCallTrace | null };
const requests = new Map<string, RequestTrace>();

/**
 * `listener` with a server span around each request, when tracing is on at the time the gateway
 * listens; otherwise `listener` itself. The request's id is settled here (the same rule as
 * everywhere: a sane client id is kept), so the routes behind see the id the span is kept under.
 * A request the sampler leaves out (99 % at 1 %) costs the decision, two ids and one listener.
 */
export function traceGatewayRequests(listener: RequestListener): RequestListener {
  if (!tracingOn()) return listener;
  return (req: IncomingMessage, res: ServerResponse) => {
    // Probes and scrapes are not traced.
    if (req.url === '/metrics' || req.url?.startsWith('/health/')) return listener(req, res);
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    req.headers[REQUEST_ID_HEADER] = requestId;
    const started = startRequestSpan(
      COMPONENT,
      contextFromHeaders(req.headers),
      () => requestSpanName(req),
      () => ({ 'http.request.method': req.method ?? 'GET', 'url.path': (req.url ?? '/').split('?')[0]!, 'handoff.request_id': requestId }),
    );
    if (!started) return listener(req, res);
    if (!started.recording) {
      const entry: RequestTrace = { headers: started.headers };
      requests.set(requestId, entry);
      // 'close' ends every response (answered or cut off), once: a plain listener, not `once`'s
      // wrapper (a bound function and a flag per request, on the path 99 % of requests take).
      res.on('close', () => {
        if (requests.get(requestId) === entry) requests.delete(requestId);
      });
      return listener(req, res);
    }
    const { span, ctx } = started;
    const entry: RequestTrace = { ctx };
    requests.set(requestId, entry);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      if (requests.get(requestId) === entry) requests.delete(requestId);
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.on('finish', end);
    res.on('close', end);
    listener(req, res);
  };
}

/** A subgraph call's span: `headers` to add to the call, `end` when it settles. */
export interface SubgraphCallTrace {
  /** To copy into the call's headers (an unsampled request's calls share one: not to be changed). */
  headers: Readonly<Record<string, string>>;
  end(outcome: string, err?: Error): void;
}

const notTraced = () => undefined;

/**
 * The trace of a subgraph call made for the request `requestId`: a client span under the
 * request's (when sampled), its traceparent for the subgraph. An unsampled request's own
 * traceparent is sent as it is, so the subgraph does not sample a trace of its own. Undefined when
 * tracing is off or the call belongs to no traced request (a subscription's, a health check's).
 */
export function traceSubgraphCall(requestId: string | undefined, url: string): SubgraphCallTrace | undefined {
  if (!tracingOn() || requestId === undefined) return undefined;
  const entry = requests.get(requestId);
  if (!entry) return undefined;
  if (!('ctx' in entry)) {
    // Not sampled: every call of the request carries the same traceparent (the caller copies the
    // headers), so one answer serves them all.
    if (entry.call === undefined) {
      const headers = entry.headers();
      entry.call = headers ? { headers, end: notTraced } : null;
    }
    return entry.call ?? undefined;
  }
  const started = startSpan(COMPONENT, `POST ${subgraphOf(url)}`, { kind: SpanKind.CLIENT, parent: entry.ctx, attributes: { 'url.full': url, 'server.address': subgraphOf(url) } });
  if (!started) return undefined;
  const span: Span = started.span;
  return {
    headers: traceHeaders(started.ctx) ?? {},
    end: (outcome, err) => {
      span.setAttribute('handoff.outcome', outcome);
      if (err) failSpan(span, err);
      else if (outcome !== 'ok') span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
      span.end();
    },
  };
}

function subgraphOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'subgraph';
  }
}
