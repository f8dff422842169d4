// A context manager for a process that keeps no async context (the gateway: request-spans.ts
// keeps each request's trace context by its request id and passes it along). `with` makes a
// context active for the synchronous run of its callback only, which is all that code running in
// such a process relies on: a span's traceparent read where the call is made (the internal
// client's `withSpan(…, () => httpPost(…, traceHeaders()))`), the span processor's
// suppress-tracing scope around an export. What it does not do is follow a context across
// `await`s, and so it installs no async hooks: Node 20's AsyncLocalStorage, once entered, turns on
// a promise hook for every promise the process makes, which cost the gateway ~25 % of its
// requests per second with tracing on at 1 % (bench/RESULTS.md, issue 24).
import { ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';

export class SyncContextManager implements ContextManager {
  private current: Context = ROOT_CONTEXT;

  active(): Context {
    return this.current;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const previous = this.current;
    this.current = ctx;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.current = previous;
    }
  }

  /** A function runs in `ctx` whenever it is called; anything else (an emitter) is returned as it is. */
  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const fn = target as unknown as (...args: unknown[]) => unknown;
    const manager = this;
    return function bound(this: unknown, ...args: unknown[]) {
      return manager.with(ctx, () => fn.apply(this, args));
    } as unknown as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.current = ROOT_CONTEXT;
    return this;
  }
}
