// The server span of every HTTP request a Handoff listener answers (a subgraph's, the sandbox's):
// it continues the caller's W3C `traceparent` (the gateway sends one on every subgraph call) and
// the handler runs inside it, so the request's statements, outbox rows and log lines join the
// trace. While tracing is off the listener is called as it is.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { bindEmitter, contextFromHeaders, runIn, SpanKind, SpanStatusCode, startSpan, tracingOn } from './tracing.js';

/** `GET /internal/…`: the method and the path's first segment (span names stay few; the path is an attribute). */
export function requestSpanName(req: IncomingMessage): string {
  const path = (req.url ?? '/').split('?')[0]!;
  const first = path.split('/')[1] ?? '';
  return `${req.method ?? 'GET'} /${first}`;
}

/** `listener`, each request in a server span of `component` (continuing the caller's trace). */
export function tracedListener(component: string, listener: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    // Off, or a probe or scrape: not traced.
    if (!tracingOn() || req.url === '/metrics' || req.url?.startsWith('/health/')) return listener(req, res);
    const started = startSpan(component, requestSpanName(req), {
      kind: SpanKind.SERVER,
      parent: contextFromHeaders(req.headers),
      attributes: { 'http.request.method': req.method ?? 'GET', 'url.path': (req.url ?? '/').split('?')[0]! },
    });
    if (!started) return listener(req, res);
    const { span, ctx } = started;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    // The body's 'data'/'end' listeners (where handlers go on) run in the request's context too.
    bindEmitter(ctx, req);
    bindEmitter(ctx, res);
    runIn(ctx, () => listener(req, res));
  };
}
