// A subscription that survives reconnects without gaps or duplicates. The gateway gives every
// conversionUpdated event a cursor (extensions.cursor) and `conversionUpdated(after: <cursor>)`
// replays what came after it before going live (docs/api.md). graphql-ws re-sends a subscription's
// payload on every reconnect, so the payload's `after` is moved to the last cursor seen as each
// event arrives: a reconnect asks for exactly what was missed. An event at or below the last
// cursor (a replay overlapping what was already shown) is dropped.
import type { Client as WsClient } from 'graphql-ws';
import { stringifyDocument } from '@urql/core';
import type { DocumentNode } from 'graphql';

export interface FeedEvent<T> {
  data: T;
  cursor: string | undefined;
}

/** Keeps the highest cursor seen; `accept` is false for one already seen (cursors are decimal integers). */
export class CursorTracker {
  private last: bigint | undefined;

  constructor(start?: string) {
    if (start !== undefined && /^\d+$/.test(start)) this.last = BigInt(start);
  }

  get current(): string | undefined {
    return this.last?.toString();
  }

  accept(cursor: unknown): boolean {
    if (typeof cursor !== 'string' || !/^\d+$/.test(cursor)) return true; // no cursor: cannot order it, show it
    const c = BigInt(cursor);
    if (this.last !== undefined && c <= this.last) return false;
    this.last = c;
    return true;
  }
}

export interface FeedHandlers<T> {
  onEvent(event: FeedEvent<T>): void;
  onError(message: string): void;
}

/**
 * Subscribes `document` on `client`. With `resumeArgument` (e.g. 'after'), the variable of that
 * name follows the last cursor, so that a reconnect resumes. Returns the unsubscribe function.
 */
export function subscribeFeed<T>(
  client: Pick<WsClient, 'subscribe'>,
  document: DocumentNode,
  handlers: FeedHandlers<T>,
  opts: { variables?: Record<string, unknown>; resumeArgument?: string; startCursor?: string } = {},
): () => void {
  const tracker = new CursorTracker(opts.startCursor);
  const variables: Record<string, unknown> = { ...opts.variables };
  if (opts.resumeArgument && tracker.current !== undefined) variables[opts.resumeArgument] = tracker.current;
  // The same object is sent again on every reconnect (graphql-ws keeps the reference).
  const payload = { query: stringifyDocument(document), variables };
  return client.subscribe<T, { cursor?: string }>(payload, {
    next(result) {
      if (result.errors?.length) {
        handlers.onError(result.errors[0]!.message);
        return;
      }
      const cursor = result.extensions?.cursor;
      if (!tracker.accept(cursor)) return;
      if (opts.resumeArgument && tracker.current !== undefined) variables[opts.resumeArgument] = tracker.current;
      if (result.data) handlers.onEvent({ data: result.data as T, cursor: typeof cursor === 'string' ? cursor : undefined });
    },
    error(err) {
      const message = Array.isArray(err) ? (err[0] as { message?: string })?.message : (err as Error)?.message;
      handlers.onError(message ?? 'The live connection closed.');
    },
    complete() {},
  });
}
