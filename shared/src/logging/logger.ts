// pino loggers whose every line carries the current request id (from AsyncLocalStorage), so
// one id follows a request from the gateway into subgraphs and the jobs it causes.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { Actor } from '../identity/actor.js';
import { currentTraceId } from '../tracing/tracing.js';

export type { Logger } from 'pino';

export interface RequestContext {
  requestId: string;
  /** Who the request (or job) acts as: stamped on timeline entries and audit rows (identity/actor.ts). */
  actor?: Actor;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithRequestContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

export function currentActor(): Actor | undefined {
  return storage.getStore()?.actor;
}

/** Runs `fn` as `actor`, keeping the current request id (a job acting for a PSP webhook, say). */
export function runWithActor<T>(actor: Actor, fn: () => T): T {
  const current = storage.getStore();
  return storage.run({ requestId: current?.requestId ?? randomUUID(), actor }, fn);
}

export const REQUEST_ID_HEADER = 'x-request-id';

/** A client-supplied id is kept when it is short and plain; otherwise a new one is made. */
export function requestIdFrom(header: unknown): string {
  if (typeof header === 'string' && /^[A-Za-z0-9._:-]{8,128}$/.test(header)) return header;
  return randomUUID();
}

const SERVICE = Symbol.for('handoff.logger.service');

/** The `name` a logger (or any child of it) was created with: the component its work belongs to (tracing). */
export function serviceOf(logger: Logger): string | undefined {
  return (logger as Logger & { [SERVICE]?: string })[SERVICE];
}

/** `destination` defaults to stdout; tests pass a stream to read the lines back. */
export function createLogger(name: string, level: LoggerOptions['level'] = 'info', destination?: DestinationStream): Logger {
  // Children are made with Object.create(parent): they inherit the name (serviceOf).
  return Object.assign(createPino(name, level, destination), { [SERVICE]: name });
}

function createPino(name: string, level: LoggerOptions['level'], destination?: DestinationStream): Logger {
  return pino({
    name,
    level,
    base: { service: name },
    mixin() {
      const requestId = currentRequestId();
      // The active trace's id while tracing is on (shared/src/tracing), to find a line's trace.
      const traceId = currentTraceId();
      if (traceId) return requestId ? { requestId, trace_id: traceId } : { trace_id: traceId };
      return requestId ? { requestId } : {};
    },
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        'authorization',
        'apiKey',
        'key',
        'secretKey',
        'webhookSecret',
        '*.secretKey',
        '*.webhookSecret',
        'cardNumber',
        '*.cardNumber',
      ],
      censor: '[redacted]',
    },
  }, destination);
}
