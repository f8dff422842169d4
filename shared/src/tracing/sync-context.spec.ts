// The gateway's context manager: a context is active for the synchronous run of `with` only (no
// async hooks), nested runs restore the outer one, a throw restores it too, and bound functions
// run in their context.
import { createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { SyncContextManager } from './sync-context.js';

const KEY = createContextKey('probe');

describe('SyncContextManager', () => {
  it('makes a context active inside `with` only, nested runs restoring the outer one, a throw too', () => {
    const m = new SyncContextManager();
    const a = ROOT_CONTEXT.setValue(KEY, 'a');
    const b = ROOT_CONTEXT.setValue(KEY, 'b');
    expect(m.active()).toBe(ROOT_CONTEXT);
    const seen = m.with(a, () => {
      const inner = m.with(b, () => m.active().getValue(KEY));
      return [m.active().getValue(KEY), inner];
    });
    expect(seen).toEqual(['a', 'b']);
    expect(m.active()).toBe(ROOT_CONTEXT);
    expect(() => m.with(a, () => { throw new Error('boom'); })).toThrow('boom');
    expect(m.active()).toBe(ROOT_CONTEXT);
  });

  it('passes thisArg and arguments; a bound function runs in its context; emitters are returned as they are', () => {
    const m = new SyncContextManager();
    const a = ROOT_CONTEXT.setValue(KEY, 'a');
    const self = { n: 2 };
    expect(m.with(a, function (this: typeof self, x: number) { return this.n * x; }, self, 21)).toBe(42);
    const bound = m.bind(a, (x: number) => `${String(m.active().getValue(KEY))}${x}`);
    expect(bound(1)).toBe('a1');
    expect(m.active()).toBe(ROOT_CONTEXT);
    const emitter = { on() {} };
    expect(m.bind(a, emitter)).toBe(emitter);
  });

  it('does not follow a context across an await (what the gateway does not rely on)', async () => {
    const m = new SyncContextManager();
    const a = ROOT_CONTEXT.setValue(KEY, 'a');
    const after = await m.with(a, async () => {
      const before = m.active().getValue(KEY);
      await Promise.resolve();
      return [before, m.active().getValue(KEY)];
    });
    expect(after).toEqual(['a', undefined]);
  });
});
