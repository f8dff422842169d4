import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { nulPath, refuseNulPlugin } from './refuse-nul.js';

describe('refusing NUL (U+0000) in text', () => {
  it('names the first variable path holding NUL, in values, nested lists and keys', () => {
    expect(nulPath({ input: { name: 'ok', lines: [{ n: 'a' }, { n: 'b\u0000' }] } }, '$')).toBe('$.input.lines[1].n');
    expect(nulPath({ meta: { 'k\u0000': 1 } }, '$')).toBe('$.meta.<key>');
    expect(nulPath({ a: 'fine', b: [1, true, null, { c: 'émoji 😀' }] }, '$')).toBeUndefined();
  });

  it('refuses a variable or a literal with NUL as BAD_USER_INPUT (HTTP 400), and lets the rest through', async () => {
    const hooks = (await refuseNulPlugin().requestDidStart!({} as never))!;
    const run = (query: string, variables: Record<string, unknown>) =>
      hooks.didResolveOperation!({ request: { variables }, source: query, document: parse(query) } as never);
    await expect(run('query($id: ID!) { merchant(id: $id) { id } }', { id: 'a\u0000' })).rejects.toMatchObject({
      message: '$id: text may not contain the NUL character (U+0000).',
      extensions: { code: 'BAD_USER_INPUT', field: '$id', http: { status: 400 } },
    });
    await expect(run('{ merchant(id: "a\\u0000") { id } }', {})).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    // Every way a literal can hold NUL: an escape (fixed or variable width), a raw NUL, in a block string.
    await expect(run('{ merchant(id: "a\\u{0}") { id } }', {})).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    await expect(run('{ merchant(id: "a\u0000") { id } }', {})).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    await expect(run('{ merchant(id: """a\u0000""") { id } }', {})).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    // The document's text is checked first: a literal without NUL, with or without escapes, passes.
    await expect(run('{ merchant(id: "a\\u0041") { id } }', {})).resolves.toBeUndefined();
    await expect(run('query($id: ID!) { merchant(id: $id) { id } }', { id: '01J0' })).resolves.toBeUndefined();
  });
});
