import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@handoff/shared/config/config';
import { loadGatewayConfig } from '../config.js';
import { parseTrustedManifest, PersistedDocuments, sha256Hex, TrustedManifestError } from './persisted-documents.js';

const Q1 = 'query Who { whoami }';
const Q2 = 'query Count { sessionCount }';
const codegen = JSON.stringify({ [sha256Hex(Q1)]: Q1, [sha256Hex(Q2)]: Q2 });
const apollo = JSON.stringify({
  format: 'apollo-persisted-query-manifest',
  version: 1,
  operations: [{ id: sha256Hex(Q1), name: 'Who', type: 'query', body: Q1 }],
});

describe('parseTrustedManifest', () => {
  it("reads GraphQL Codegen's { sha256: document } and Apollo's persisted query manifest", () => {
    const c = parseTrustedManifest(codegen, 'm.json');
    expect(c.format).toBe('codegen');
    expect(c.byHash.get(sha256Hex(Q2))).toBe(Q2);
    expect([...c.texts].sort()).toEqual([Q1, Q2].sort());
    const a = parseTrustedManifest(apollo, 'm.json');
    expect(a.format).toBe('apollo');
    expect([...a.byHash]).toEqual([[sha256Hex(Q1), Q1]]);
  });

  it.each([
    ['not JSON', '{ nope', /m\.json: not valid JSON/],
    ['an array', '[]', /expected a JSON object/],
    ['an empty manifest', '{}', /lists no operations/],
    ['a sha1 key (codegen default)', JSON.stringify({ '2fd4e1c67a2d28fced849ee1bb76e7391b93eb12': Q1 }), /lowercase hex sha256.*hashAlgorithm: 'sha256'/],
    ['a hash that is not its text', JSON.stringify({ [sha256Hex(Q2)]: Q1 }), /"[0-9a-f]{64}": the hash is not the sha256 of its document/],
    ['a document that is not a string', JSON.stringify({ [sha256Hex(Q1)]: 42 }), /must be a non-empty string/],
    ['an unknown manifest format', JSON.stringify({ format: 'relay', version: 1, operations: [] }), /"format" must be "apollo-persisted-query-manifest"/],
    ['an Apollo manifest of version 2', JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 2, operations: [] }), /only version 1/],
    ['an Apollo operation without id', JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ name: 'Who', body: Q1 }] }), /operations\[0\] \(Who\): "id"/],
  ])('refuses %s with a message naming the file and the entry', (_, text, message) => {
    expect(() => parseTrustedManifest(text, 'm.json')).toThrow(TrustedManifestError);
    expect(() => parseTrustedManifest(text, 'm.json')).toThrow(message);
  });
});

describe('PersistedDocuments', () => {
  const pq = (hash: string, version: unknown = 1) => ({ persistedQuery: { version, sha256Hash: hash } });

  it('APQ: an unknown hash is PERSISTED_QUERY_NOT_FOUND; hash + text registers under the computed hash; then the hash alone resolves', () => {
    const docs = new PersistedDocuments({ mode: 'off', apqEntries: 10 });
    const miss = docs.resolve(undefined, pq(sha256Hex(Q1)));
    expect(miss).toMatchObject({ kind: 'refused', refusal: { status: 200, code: 'PERSISTED_QUERY_NOT_FOUND' } });
    const sent = docs.resolve(Q1, { ...pq(sha256Hex(Q1)), other: true });
    expect(sent).toEqual({ kind: 'resolved', query: Q1, extensions: { other: true }, register: { hash: sha256Hex(Q1), text: Q1 } });
    if (sent.kind === 'resolved' && sent.register) docs.register(sent.register);
    expect(docs.resolve(undefined, pq(sha256Hex(Q1)))).toEqual({ kind: 'resolved', query: Q1, extensions: undefined });
  });

  it("never trusts the client's hash: a hash that is not the text's is refused and nothing is registered", () => {
    const docs = new PersistedDocuments({ mode: 'off', apqEntries: 10 });
    expect(docs.resolve(Q2, pq(sha256Hex(Q1)))).toMatchObject({ kind: 'refused', refusal: { status: 400, code: 'BAD_REQUEST', message: 'provided sha does not match query' } });
    expect(docs.apqSize).toBe(0);
    expect(docs.resolve(undefined, pq(sha256Hex(Q1), 2))).toMatchObject({ kind: 'refused', refusal: { status: 400, message: 'Unsupported persisted query version' } });
    expect(docs.resolve(undefined, { persistedQuery: { version: 1 } })).toMatchObject({ kind: 'refused', refusal: { status: 400, code: 'BAD_REQUEST' } });
  });

  it('keeps at most apqEntries texts, least recently used dropped first; 0 turns APQ off', () => {
    const docs = new PersistedDocuments({ mode: 'off', apqEntries: 2 });
    const texts = ['{ a }', '{ b }', '{ c }'];
    docs.register({ hash: sha256Hex(texts[0]!), text: texts[0]! });
    docs.register({ hash: sha256Hex(texts[1]!), text: texts[1]! });
    docs.resolve(undefined, pq(sha256Hex(texts[0]!))); // a is now the most recent
    docs.register({ hash: sha256Hex(texts[2]!), text: texts[2]! });
    expect(docs.resolve(undefined, pq(sha256Hex(texts[0]!))).kind).toBe('resolved');
    expect(docs.resolve(undefined, pq(sha256Hex(texts[1]!))).kind).toBe('refused');
    const off = new PersistedDocuments({ mode: 'off', apqEntries: 0 });
    expect(off.resolve(undefined, pq(sha256Hex(Q1)))).toMatchObject({ kind: 'refused', refusal: { code: 'PERSISTED_QUERY_NOT_SUPPORTED' } });
    expect(off.resolve(Q1, pq(sha256Hex(Q1)))).toEqual({ kind: 'resolved', query: Q1, extensions: undefined });
  });

  it('require: only the manifest runs, by hash or by text; no APQ registration', () => {
    const manifest = parseTrustedManifest(codegen, 'm.json');
    const docs = new PersistedDocuments({ mode: 'require', manifest, apqEntries: 10 });
    expect(docs.resolve(undefined, pq(sha256Hex(Q2)))).toEqual({ kind: 'resolved', query: Q2, extensions: undefined });
    expect(docs.resolve(Q1, undefined)).toEqual({ kind: 'plain' });
    const other = '{ whoami }';
    for (const decision of [docs.resolve(other, undefined), docs.resolve(undefined, pq(sha256Hex(other))), docs.resolve(other, pq(sha256Hex(other)))]) {
      expect(decision).toMatchObject({ kind: 'refused', refusal: { status: 400, code: 'OPERATION_NOT_TRUSTED' } });
    }
    expect(docs.apqSize).toBe(0);
  });

  it('allow: manifest hashes resolve, other texts run and APQ still works', () => {
    const docs = new PersistedDocuments({ mode: 'allow', manifest: parseTrustedManifest(apollo, 'm.json'), apqEntries: 10 });
    expect(docs.resolve(undefined, pq(sha256Hex(Q1)))).toMatchObject({ kind: 'resolved', query: Q1 });
    expect(docs.resolve('{ whoami }', undefined)).toEqual({ kind: 'plain' });
    expect(docs.resolve(undefined, pq(sha256Hex(Q2)))).toMatchObject({ kind: 'refused', refusal: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
  });
});

describe('TRUSTED_DOCUMENTS settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trusted-docs-'));
  const good = join(dir, 'good.json');
  const bad = join(dir, 'bad.json');
  writeFileSync(good, codegen);
  writeFileSync(bad, JSON.stringify({ [sha256Hex(Q2)]: Q1 }));

  it('reads the manifest at start: allow by default with a path, require when asked, off without', () => {
    expect(loadGatewayConfig({}).persistedDocuments).toMatchObject({ mode: 'off', manifest: undefined, apqEntries: 1000 });
    expect(loadGatewayConfig({ TRUSTED_DOCUMENTS_PATH: good }).persistedDocuments.mode).toBe('allow');
    const req = loadGatewayConfig({ TRUSTED_DOCUMENTS_PATH: good, TRUSTED_DOCUMENTS: 'require', APQ_CACHE_ENTRIES: '0' }).persistedDocuments;
    expect(req.mode).toBe('require');
    expect(req.manifest?.byHash.size).toBe(2);
    expect(req.apqEntries).toBe(0);
  });

  it('a missing, unreadable or bad manifest is a ConfigError naming the problem', () => {
    const attempts: Array<[Record<string, string>, RegExp]> = [
      [{ TRUSTED_DOCUMENTS: 'require' }, /TRUSTED_DOCUMENTS=require needs TRUSTED_DOCUMENTS_PATH/],
      [{ TRUSTED_DOCUMENTS_PATH: join(dir, 'missing.json') }, /cannot read .*missing\.json \(ENOENT\)/],
      [{ TRUSTED_DOCUMENTS_PATH: bad }, /bad\.json: "[0-9a-f]{64}": the hash is not the sha256 of its document/],
      [{ TRUSTED_DOCUMENTS: 'sometimes' }, /TRUSTED_DOCUMENTS/],
    ];
    for (const [env, message] of attempts) {
      expect(() => loadGatewayConfig(env)).toThrow(ConfigError);
      expect(() => loadGatewayConfig(env)).toThrow(message);
    }
  });

  it('the gateway process exits 1 with the message and no stack trace on a bad manifest', () => {
    const main = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
    let out = '';
    let status = 0;
    try {
      execFileSync(process.execPath, [main], { env: { PATH: process.env.PATH, TRUSTED_DOCUMENTS_PATH: bad, LOG_LEVEL: 'silent' }, stdio: 'pipe', timeout: 60_000 });
    } catch (err) {
      const e = err as { status: number; stderr: Buffer; stdout: Buffer };
      status = e.status;
      out = `${e.stderr.toString()}${e.stdout.toString()}`;
    }
    expect(status).toBe(1);
    expect(out).toMatch(/Invalid configuration:\n {2}TRUSTED_DOCUMENTS_PATH .*bad\.json: .*the hash is not the sha256 of its document/);
    expect(out).not.toMatch(/\n\s+at /);
  });
});
