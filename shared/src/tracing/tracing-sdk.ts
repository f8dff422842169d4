// What tracing.ts uses of the SDK once sdk.ts is loaded (its own module: tracing.ts loads sdk.ts
// by import() and neither imports the other's types).
import type { Tracer } from '@opentelemetry/api';

export interface TracingOptions {
  /**
   * Whether a context follows async work (AsyncLocalStorage; default true). false: only within a
   * synchronous `with` (sync-context.ts), for a process that passes contexts along itself.
   */
  asyncContext?: boolean;
}

export interface TracingSdk {
  tracer(component: string): Tracer;
  /** Switches to the async context manager (another component of the process needs it). */
  useAsyncContext(): void;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}
