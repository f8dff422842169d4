// A span around every PostgreSQL statement that runs inside a sampled trace: node-postgres's
// Client#query is wrapped once, when tracing is on (TypeORM's queries, the raw pool's prepared
// statements and the relay's all go through it). Outside a trace, in an unsampled one, or with
// tracing off the original runs untouched. The span carries the statement's text (parameterised:
// values are never recorded), cut to 2,000 characters.
import { context, trace, SpanKind, type Span } from '@opentelemetry/api';
import pg from 'pg';
import { componentOf, failSpan, tracerFor, tracingOn } from './tracing.js';

const WRAPPED = Symbol.for('handoff.tracing.pg');
const MAX_STATEMENT = 2000;

type QueryFn = (this: pg.Client, ...args: unknown[]) => unknown;

/** Wraps Client#query (once per process) when tracing is on; a no-op otherwise. */
export function tracePostgres(): void {
  if (!tracingOn()) return;
  const proto = pg.Client.prototype as unknown as { query: QueryFn; [WRAPPED]?: true };
  if (proto[WRAPPED]) return;
  const original = proto.query;
  proto[WRAPPED] = true;
  proto.query = function tracedQuery(this: pg.Client, ...args: unknown[]): unknown {
    const parent = context.active();
    const config = args[0] as { text?: unknown; name?: unknown; submit?: unknown } | string | undefined;
    if (!tracingOn() || !trace.getSpan(parent)?.isRecording() || (typeof config === 'object' && config !== null && typeof config.submit === 'function')) {
      return original.apply(this, args);
    }
    const text = typeof config === 'string' ? config : typeof config?.text === 'string' ? config.text : '';
    const verb = /^\s*([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase() ?? 'QUERY';
    const span = tracerFor(componentOf(parent) ?? 'postgres').startSpan(
      `pg ${verb}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system': 'postgresql',
          'db.name': this.database ?? '',
          'db.statement': text.length > MAX_STATEMENT ? `${text.slice(0, MAX_STATEMENT)}…` : text,
          ...(typeof config === 'object' && typeof config?.name === 'string' ? { 'db.prepared_statement': config.name } : {}),
        },
      },
      parent,
    );
    const last = args.length - 1;
    if (last >= 1 && typeof args[last] === 'function') {
      const callback = args[last] as (err: unknown, res: unknown) => void;
      args[last] = (err: unknown, res: unknown) => {
        finish(span, err);
        callback(err, res);
      };
      return original.apply(this, args);
    }
    let result: unknown;
    try {
      result = original.apply(this, args);
    } catch (err) {
      finish(span, err);
      throw err;
    }
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(
        () => finish(span, undefined),
        (err: unknown) => finish(span, err),
      );
    } else {
      finish(span, undefined);
    }
    return result;
  };
}

function finish(span: Span, err: unknown): void {
  if (err) failSpan(span, err);
  span.end();
}
