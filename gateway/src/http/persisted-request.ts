// Persisted documents on /graphql (graphql/persisted-documents.ts decides): applied to a request
// before anything parses its GraphQL, on the fast path (graphql-fast-path.ts: POST JSON) and on
// express's /graphql route (GET, and the POSTs the fast path does not take), so every path answers
// alike. A resolved hash becomes the request's `query` (and `extensions.persistedQuery` is gone):
// what follows (the plan cache, Apollo Server) sees an ordinary request, and a text seen before
// skips parsing and validation in the plan cache. Apollo Server's own APQ stays off.
import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { GraphQLError, Kind, parse } from 'graphql';
import type { HandoffExecutor } from '../execution/handoff-executor.js';
import { renderExecutionResult, type FormatError } from '../execution/http-response.js';
import { operationKey } from '../execution/prepared.js';
import type { PersistedDocuments, PersistedRefusal, TrustedManifest } from '../graphql/persisted-documents.js';

export interface PersistedRequests {
  /** A parsed POST body: the body to go on with, or undefined when `res` has been answered. */
  applyToBody(body: unknown, res: ServerResponse): { body: unknown } | undefined;
  /** Express middleware for /graphql (after the JSON body parser, before Apollo Server). */
  middleware(req: Request, res: Response, next: NextFunction): void;
}

export function persistedRequests(docs: PersistedDocuments, formatError: FormatError): PersistedRequests {
  const refuse = (res: ServerResponse, refusal: PersistedRefusal) => {
    const error = new GraphQLError(refusal.message, { extensions: { code: refusal.code, http: { status: refusal.status } } });
    const rendered = renderExecutionResult({ errors: [error] }, formatError);
    res.statusCode = rendered.status;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    for (const [name, value] of Object.entries(refusal.headers ?? { 'cache-control': 'no-store' })) res.setHeader(name, value);
    const bytes = Buffer.from(rendered.body, 'utf8');
    res.setHeader('content-length', bytes.length);
    res.end(bytes);
  };

  /** APQ: the text is remembered once its operation was answered 200 (parsed and validated). */
  const registerWhenAnswered = (res: ServerResponse, entry: { hash: string; text: string } | undefined) => {
    if (!entry) return;
    res.once('finish', () => {
      if (res.statusCode === 200) docs.register(entry);
    });
  };

  const applyToBody: PersistedRequests['applyToBody'] = (body, res) => {
    if (!body || typeof body !== 'object' || Array.isArray(body)) return { body };
    const b = body as Record<string, unknown>;
    if (b.extensions === undefined && !docs.checksText) return { body };
    const decision = docs.resolve(b.query, b.extensions);
    if (decision.kind === 'plain') return { body };
    if (decision.kind === 'refused') {
      refuse(res, decision.refusal);
      return undefined;
    }
    const { extensions: _, ...rest } = b;
    registerWhenAnswered(res, decision.register);
    return { body: { ...rest, query: decision.query, ...(decision.extensions ? { extensions: decision.extensions } : {}) } };
  };

  const middleware: PersistedRequests['middleware'] = (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') {
      const url = new URL(req.url, 'http://gateway');
      const params = url.searchParams;
      if (!params.has('extensions') && !docs.checksText) return next();
      let extensions: unknown;
      const rawExtensions = params.get('extensions');
      if (rawExtensions !== null) {
        try {
          extensions = JSON.parse(rawExtensions);
        } catch {
          return next(); // Apollo Server answers a bad `extensions` parameter itself
        }
      }
      const decision = docs.resolve(params.get('query') ?? undefined, extensions);
      if (decision.kind === 'plain') return next();
      if (decision.kind === 'refused') return refuse(res, decision.refusal);
      if (typeof decision.query === 'string') params.set('query', decision.query);
      if (decision.extensions) params.set('extensions', JSON.stringify(decision.extensions));
      else params.delete('extensions');
      req.url = `${url.pathname}?${params.toString()}`;
      registerWhenAnswered(res, decision.register);
      return next();
    }
    const applied = applyToBody((req as { body?: unknown }).body, res);
    if (!applied) return;
    (req as { body?: unknown }).body = applied.body;
    next();
  };

  return { applyToBody, middleware };
}

/**
 * Validates and plans every query and mutation of the trusted-documents manifest at start (under
 * its operation name, and without one for a single-operation document), so even the first request
 * for each skips parsing and validation. `invalid`: texts that do not parse or validate against
 * this supergraph (a stale manifest); `apollo`: operations left to @apollo/gateway.
 */
export function prepareManifest(executor: HandoffExecutor, manifest: TrustedManifest): { prepared: number; apollo: number; invalid: string[] } {
  const out = { prepared: 0, apollo: 0, invalid: [] as string[] };
  for (const [hash, text] of manifest.byHash) {
    let names: Array<string | undefined>;
    try {
      const operations = parse(text).definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION && d.operation !== 'subscription');
      names = operations.map((d) => (d.kind === Kind.OPERATION_DEFINITION ? d.name?.value : undefined));
      if (operations.length === 1 && names[0] !== undefined) names.push(undefined);
    } catch {
      out.invalid.push(hash);
      continue;
    }
    for (const name of names) {
      if (executor.lookupOrPlan(text, name)) out.prepared += 1;
      else if (executor.cache.get(operationKey(text, name)) === null) {
        if (!out.invalid.includes(hash)) out.invalid.push(hash);
      } else out.apollo += 1;
    }
  }
  return out;
}
