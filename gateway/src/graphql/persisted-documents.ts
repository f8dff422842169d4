// Persisted and trusted documents (docs/persisted-documents.md): a client sends the sha256 of an
// operation's text instead of the text. Two sources of texts by hash:
// - the trusted-documents manifest (TRUSTED_DOCUMENTS_PATH), read once at start; with
//   TRUSTED_DOCUMENTS=require it is also the only operations the gateway runs;
// - Apollo's Automatic Persisted Queries (APQ): a hash the gateway does not know answers
//   PERSISTED_QUERY_NOT_FOUND, the client sends hash and text, and the text is remembered under
//   the sha256 the gateway computes itself (a hash that does not match the text is refused).
// This module decides; the HTTP layer (http/persisted-request.ts) applies the decision to both the
// /graphql fast path and Apollo Server's express route, so both answer alike.
import { createHash } from 'node:crypto';
import { ErrorCode } from '@handoff/shared/errors/codes';

export type TrustedDocumentsMode = 'off' | 'allow' | 'require';

/** The operations a manifest allows: text by sha256, and the set of texts. */
export interface TrustedManifest {
  /** `codegen`: `{ "<sha256>": "<document>" }`; `apollo`: Apollo's persisted query manifest. */
  format: 'codegen' | 'apollo';
  byHash: ReadonlyMap<string, string>;
  texts: ReadonlySet<string>;
}

export class TrustedManifestError extends Error {
  override name = 'TrustedManifestError';
}

export const APOLLO_MANIFEST_FORMAT = 'apollo-persisted-query-manifest';
const SHA256_HEX = /^[0-9a-f]{64}$/;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Reads a manifest: GraphQL Codegen's client preset `persisted-documents.json` (an object of
 * sha256 → document; the preset must use `hashAlgorithm: 'sha256'`) or Apollo's persisted query
 * manifest (`@apollo/generate-persisted-query-manifest`). Every hash is checked against its text.
 */
export function parseTrustedManifest(json: string, source: string): TrustedManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new TrustedManifestError(`${source}: not valid JSON (${(err as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new TrustedManifestError(`${source}: expected a JSON object ({ "<sha256>": "<document>" } or an Apollo persisted query manifest)`);
  }
  const entries: Array<[id: string, body: unknown, where: string]> = [];
  const obj = parsed as Record<string, unknown>;
  let format: TrustedManifest['format'];
  if ('format' in obj || 'operations' in obj) {
    format = 'apollo';
    if (obj.format !== APOLLO_MANIFEST_FORMAT) throw new TrustedManifestError(`${source}: "format" must be "${APOLLO_MANIFEST_FORMAT}"`);
    if (obj.version !== 1) throw new TrustedManifestError(`${source}: only version 1 of Apollo's persisted query manifest is supported`);
    if (!Array.isArray(obj.operations)) throw new TrustedManifestError(`${source}: "operations" must be an array`);
    obj.operations.forEach((op: unknown, i) => {
      const o = (op && typeof op === 'object' ? op : {}) as Record<string, unknown>;
      const where = `operations[${i}]${typeof o.name === 'string' ? ` (${o.name})` : ''}`;
      if (typeof o.id !== 'string') throw new TrustedManifestError(`${source}: ${where}: "id" must be the sha256 of "body"`);
      entries.push([o.id, o.body, where]);
    });
  } else {
    format = 'codegen';
    for (const [key, value] of Object.entries(obj)) entries.push([key, value, `"${key}"`]);
  }
  const byHash = new Map<string, string>();
  for (const [id, body, where] of entries) {
    if (typeof body !== 'string' || body.trim() === '') throw new TrustedManifestError(`${source}: ${where}: the document must be a non-empty string`);
    if (!SHA256_HEX.test(id)) {
      throw new TrustedManifestError(
        `${source}: ${where}: the key must be a lowercase hex sha256 (GraphQL Codegen's client preset: persistedDocuments: { hashAlgorithm: 'sha256' })`,
      );
    }
    if (sha256Hex(body) !== id) throw new TrustedManifestError(`${source}: ${where}: the hash is not the sha256 of its document`);
    byHash.set(id, body);
  }
  if (byHash.size === 0) throw new TrustedManifestError(`${source}: the manifest lists no operations`);
  return { format, byHash, texts: new Set(byHash.values()) };
}

/** A refusal, answered as Apollo Server answers its own APQ errors. */
export interface PersistedRefusal {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

export type PersistedResolution =
  /** Nothing persisted in the request, and nothing to refuse: the request goes on unchanged. */
  | { kind: 'plain' }
  /** The text to run (from the hash, or the client's own, checked), `extensions` without `persistedQuery`. */
  | { kind: 'resolved'; query: unknown; extensions: Record<string, unknown> | undefined; register?: { hash: string; text: string } }
  | { kind: 'refused'; refusal: PersistedRefusal };

// Apollo Server's APQ answers (200 with no-cache: an APQ client reads the code and resends).
const APQ_HEADERS = { 'cache-control': 'private, no-cache, must-revalidate' };
const NOT_FOUND: PersistedRefusal = { status: 200, code: ErrorCode.PERSISTED_QUERY_NOT_FOUND, message: 'PersistedQueryNotFound', headers: APQ_HEADERS };
const NOT_SUPPORTED: PersistedRefusal = { status: 200, code: ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED, message: 'PersistedQueryNotSupported', headers: APQ_HEADERS };
const NOT_TRUSTED: PersistedRefusal = {
  status: 400,
  code: ErrorCode.OPERATION_NOT_TRUSTED,
  message: 'This gateway runs only the operations of its trusted-documents manifest; this one is not in it.',
};
const badRequest = (message: string): PersistedRefusal => ({ status: 400, code: ErrorCode.BAD_REQUEST, message });

export interface PersistedDocumentsOptions {
  mode: TrustedDocumentsMode;
  manifest?: TrustedManifest;
  /** APQ texts remembered (least recently used dropped first); 0 = APQ off. */
  apqEntries: number;
  /** Texts longer than this are not remembered by APQ (the client keeps sending them). */
  apqMaxLength?: number;
  /** Characters remembered by APQ in all (bounds memory whatever the texts). */
  apqMaxChars?: number;
}

export class PersistedDocuments {
  private readonly apq = new Map<string, string>();
  private apqChars = 0;
  readonly mode: TrustedDocumentsMode;
  private readonly manifest: TrustedManifest | undefined;

  constructor(private readonly opts: PersistedDocumentsOptions) {
    this.mode = opts.mode;
    this.manifest = opts.mode === 'off' ? undefined : opts.manifest;
    if (opts.mode !== 'off' && !opts.manifest) throw new Error(`TRUSTED_DOCUMENTS=${opts.mode} needs a manifest`);
  }

  get apqEnabled(): boolean {
    return this.opts.apqEntries > 0 && this.mode !== 'require';
  }

  /** Whether requests without a persisted-query extension need looking at (trusted mode). */
  get checksText(): boolean {
    return this.mode === 'require';
  }

  /** The decision for one request's `query` and `extensions` (as sent: anything). */
  resolve(query: unknown, extensions: unknown): PersistedResolution {
    const ext = extensions && typeof extensions === 'object' && !Array.isArray(extensions) ? (extensions as Record<string, unknown>) : undefined;
    const pq = ext?.persistedQuery;
    if (pq === undefined) {
      if (this.mode === 'require' && typeof query === 'string' && !this.manifest!.texts.has(query)) return { kind: 'refused', refusal: NOT_TRUSTED };
      return { kind: 'plain' };
    }
    const p = (pq && typeof pq === 'object' ? pq : {}) as Record<string, unknown>;
    if (p.version !== 1) return { kind: 'refused', refusal: badRequest('Unsupported persisted query version') };
    if (typeof p.sha256Hash !== 'string') return { kind: 'refused', refusal: badRequest('persistedQuery.sha256Hash must be the sha256 of the query, in hex') };
    const hash = p.sha256Hash.toLowerCase();
    const { persistedQuery: _, ...rest } = ext!;
    const extensionsLeft = Object.keys(rest).length ? rest : undefined;
    if (query === undefined || query === null) {
      const text = this.manifest?.byHash.get(hash) ?? (this.apqEnabled ? this.remembered(hash) : undefined);
      if (text !== undefined) return { kind: 'resolved', query: text, extensions: extensionsLeft };
      if (this.mode === 'require') return { kind: 'refused', refusal: NOT_TRUSTED };
      return { kind: 'refused', refusal: this.apqEnabled ? NOT_FOUND : NOT_SUPPORTED };
    }
    // Not a string: Apollo Server refuses it as it refuses any such query.
    if (typeof query !== 'string') return { kind: 'resolved', query, extensions: extensionsLeft };
    if (sha256Hex(query) !== hash) return { kind: 'refused', refusal: badRequest('provided sha does not match query') };
    if (this.mode === 'require' && !this.manifest!.texts.has(query)) return { kind: 'refused', refusal: NOT_TRUSTED };
    const register = this.apqEnabled && !this.manifest?.byHash.has(hash) && query.length <= (this.opts.apqMaxLength ?? 20_000) ? { hash, text: query } : undefined;
    return { kind: 'resolved', query, extensions: extensionsLeft, ...(register ? { register } : {}) };
  }

  /**
   * Remembers an APQ text under its hash (call once the operation was answered 200: a text that
   * does not parse or validate is not kept). The hash is the gateway's own (`resolve` checked it).
   */
  register(entry: { hash: string; text: string }): void {
    if (!this.apqEnabled || this.apq.has(entry.hash)) return;
    this.apq.set(entry.hash, entry.text);
    this.apqChars += entry.text.length;
    const maxChars = this.opts.apqMaxChars ?? 4_000_000;
    while (this.apq.size > this.opts.apqEntries || this.apqChars > maxChars) {
      const [oldest, text] = this.apq.entries().next().value as [string, string];
      this.apq.delete(oldest);
      this.apqChars -= text.length;
    }
  }

  /** How many APQ texts are remembered (tests, metrics). */
  get apqSize(): number {
    return this.apq.size;
  }

  private remembered(hash: string): string | undefined {
    const text = this.apq.get(hash);
    if (text === undefined) return undefined;
    // Most recently used last: refreshed on every hit.
    this.apq.delete(hash);
    this.apq.set(hash, text);
    return text;
  }
}
