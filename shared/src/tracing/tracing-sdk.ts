// What tracing.ts uses of the SDK once sdk.ts is loaded (its own module: tracing.ts loads sdk.ts
// by import() and neither imports the other's types).
import type { Tracer } from '@opentelemetry/api';

export interface TracingSdk {
  tracer(component: string): Tracer;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}
