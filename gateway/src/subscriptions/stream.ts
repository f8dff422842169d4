// One subscription's event stream: the async iterator graphql-ws reads. Live events are queued
// as they arrive (never blocking the fan-out), optionally after a replay; each is resolved, in
// order, when graphql-ws asks for the next one (after the previous one was written to the
// socket). Events are deduplicated by cursor: the relay delivers at least once, and a replay
// overlaps the live events buffered while it ran.
import { GraphQLError, type ExecutionResult, type GraphQLFormattedError } from 'graphql';
import type { Change } from './event-bus.js';

export interface ResolvedEvent {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
}

export interface StreamSource<C extends Change> {
  /** A cheap check on a live event: could it be for this subscriber at all? */
  matches(change: C): boolean;
  /** The payload for this subscriber, or null when it may not see this event. */
  resolve(change: C): Promise<ResolvedEvent | null>;
  /** Events before the live ones, oldest first (resume). */
  replay?(): AsyncIterable<C>;
}

export interface StreamHooks {
  /** Called when live events pile up beyond `maxQueued`: the subscriber cannot keep up. */
  onSlow(): void;
  /** Called once when the stream ends, whoever ends it. */
  onEnd(): void;
}

/** How many delivered cursors are remembered for deduplication (besides a replay's own). */
const RECENT_CURSORS = 2048;

export class SubscriptionStream<C extends Change> implements AsyncIterableIterator<ExecutionResult> {
  private readonly pending: C[] = [];
  private readonly delivered = new Set<string>();
  private wake: (() => void) | undefined;
  private replaying: AsyncIterator<C> | undefined;
  private ended = false;
  private slow = false;
  private unlisten: (() => void) | undefined;

  constructor(
    private readonly source: StreamSource<C>,
    private readonly opts: { maxQueued: number; statusKeys: readonly string[]; responseKey: string },
    private readonly hooks: StreamHooks,
  ) {
    this.replaying = source.replay?.()[Symbol.asyncIterator]();
  }

  /** The bus listener's remover, called when the stream ends. */
  attach(unlisten: () => void): void {
    if (this.ended) unlisten();
    else this.unlisten = unlisten;
  }

  get queued(): number {
    return this.pending.length;
  }

  /** Called by the bus for every live event of this family. Never blocks. */
  offer(change: C): void {
    if (this.ended || this.slow || !this.source.matches(change)) return;
    if (this.pending.length >= this.opts.maxQueued) return this.dropSlow();
    this.pending.push(change);
    this.wake?.();
  }

  /**
   * The subscriber cannot keep up: onSlow closes its socket, which ends every stream on it. No
   * `complete` is sent, so the client sees the close code and knows to reconnect and resume.
   */
  dropSlow(): void {
    if (this.ended || this.slow) return;
    this.slow = true;
    this.pending.length = 0;
    this.hooks.onSlow();
  }

  async next(): Promise<IteratorResult<ExecutionResult>> {
    while (!this.ended) {
      let change: C | undefined;
      if (this.replaying) {
        const r = await this.replaying.next();
        if (this.ended) break;
        if (r.done) this.replaying = undefined;
        else change = r.value;
      } else {
        change = this.pending.shift();
        if (!change) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = undefined;
          continue;
        }
      }
      if (!change || this.delivered.has(change.cursor)) continue;
      const resolved = await this.source.resolve(change);
      if (this.ended) break;
      this.remember(change.cursor);
      const result = resolved && this.toResult(change, resolved);
      if (result) return { value: result, done: false };
    }
    return { value: undefined, done: true };
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    if (!this.ended) {
      this.ended = true;
      this.pending.length = 0;
      this.wake?.();
      this.unlisten?.();
      // Not awaited: a replay page in flight would hold up the socket's close.
      const replaying = this.replaying;
      this.replaying = undefined;
      replaying?.return?.()?.catch(() => undefined);
      this.hooks.onEnd();
    }
    return { value: undefined, done: true };
  }

  async throw(err: unknown): Promise<IteratorResult<ExecutionResult>> {
    await this.return();
    throw err;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private remember(cursor: string): void {
    this.delivered.add(cursor);
    // Replayed cursors stay (a late live duplicate of one may still come); live ones roll over.
    if (!this.replaying && this.delivered.size > RECENT_CURSORS) {
      const oldest = this.delivered.values().next().value;
      if (oldest !== undefined) this.delivered.delete(oldest);
    }
  }

  /**
   * The event as the client receives it: the query's answer, with the status the event announced
   * (the row may have moved on by the time it is read) and the event's cursor. An event the
   * subscriber may not see (no data, no error) is dropped.
   */
  private toResult(change: C, resolved: ResolvedEvent): ExecutionResult | undefined {
    const payload = resolved.data?.[this.opts.responseKey];
    const errors = resolved.errors?.map((e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions }));
    if (payload == null && !errors?.length) return undefined;
    let data = resolved.data ?? null;
    if (payload && typeof payload === 'object' && this.opts.statusKeys.length) {
      const pinned: Record<string, unknown> = { ...(payload as Record<string, unknown>) };
      for (const key of this.opts.statusKeys) pinned[key] = change.status;
      data = { ...data, [this.opts.responseKey]: pinned };
    }
    return { data, ...(errors?.length ? { errors } : {}), extensions: { cursor: change.cursor } };
  }
}
