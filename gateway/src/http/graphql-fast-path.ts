// POST /graphql without express. Express 5's router walks every mounted layer for each request
// and body-parser adds its own stream plumbing; together with the route's middleware that was
// ~10 % of the gateway's CPU per query in the bench (bench/RESULTS.md). The common request,
// `POST /graphql` with a JSON body of a declared length within the limit, is answered here with
// the same steps in the same order: request id, HTTP metrics, body limit, strict JSON, request
// context, then Apollo Server's own HTTP handling (CSRF prevention, parsing with the token limit,
// validation with the query limits, auth in the context function, masking in formatError).
// Anything else (GET, other content types or encodings, chunked or oversized bodies, other paths)
// goes to express unchanged, which answers it as before.
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { ErrorCode } from '@handoff/shared/errors/codes';
import { UNEXPECTED_MESSAGE } from '@handoff/shared/errors/mask';
import { REQUEST_ID_HEADER, requestIdFrom, type Logger } from '@handoff/shared/logging/logger';
import type { GatewayContext } from '../context.js';
import type { HandoffExecutor } from '../execution/handoff-executor.js';
import { isPlainGraphQLBody, renderExecutionResult, type FormatError, type PlainGraphQLBody } from '../execution/http-response.js';
import { coerceVariables } from '../execution/prepared.js';
import { tagErrorsWithRequestId } from '../graphql/format-error.js';
import { nulPath } from '../graphql/refuse-nul.js';
import type { GatewayMetrics } from './metrics.js';
import type { PersistedRequests } from './persisted-request.js';

export interface GraphqlFastPathOptions {
  apollo: ApolloServer<GatewayContext>;
  maxBodyBytes: number;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Builds the request's context (auth); throws a GraphQLError to refuse it. */
  context(headers: IncomingMessage['headers'], requestId: string): Promise<GatewayContext>;
  /** Everything this path does not take. */
  fallback: RequestListener;
  /**
   * Runs operations Apollo Server has already validated and planned once (same text and name)
   * without going through Apollo Server again; undefined = always Apollo Server.
   */
  executor?: HandoffExecutor;
  /** The gateway's formatError (the one Apollo Server uses), for the executor's answers. */
  formatError: FormatError;
  /** Persisted and trusted documents: a hash becomes the request's text before anything else. */
  persisted?: PersistedRequests;
}

const JSON_CONTENT_TYPE = /^application\/json\s*(;\s*charset="?utf-8"?\s*)?$/i;
const BAD_JSON = JSON.stringify({ errors: [{ message: 'Request body is not valid JSON.', extensions: { code: ErrorCode.BAD_REQUEST } }] });
const BAD_UTF8 = JSON.stringify({ errors: [{ message: 'Request body is not valid UTF-8.', extensions: { code: ErrorCode.BAD_REQUEST } }] });
const UNEXPECTED = JSON.stringify({ errors: [{ message: UNEXPECTED_MESSAGE, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }] });

export function graphqlFastPath(opts: GraphqlFastPathOptions): RequestListener {
  const { apollo, metrics, maxBodyBytes, logger } = opts;
  const durationOfGraphql = metrics.httpDuration.labels({ route: '/graphql' });

  const taken = (req: IncomingMessage): boolean => {
    if (req.method !== 'POST' || req.url !== '/graphql') return false;
    const type = req.headers['content-type'];
    if (type === undefined || !JSON_CONTENT_TYPE.test(type)) return false;
    if (req.headers['content-encoding'] !== undefined || req.headers['transfer-encoding'] !== undefined) return false;
    const length = req.headers['content-length'];
    return length !== undefined && /^\d{1,9}$/.test(length) && Number(length) <= maxBodyBytes;
  };

  const answer = (res: ServerResponse, status: number, body: string) => {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('content-length', Buffer.byteLength(body));
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, requestId: string, text: string) => {
    // body-parser's strict mode: only an object or an array is a JSON body.
    const first = text.trimStart()[0];
    let body: unknown;
    try {
      if (first !== '{' && first !== '[') throw new SyntaxError('not an object or array');
      body = JSON.parse(text);
    } catch {
      answer(res, 400, BAD_JSON);
      return;
    }
    if (opts.persisted) {
      const applied = opts.persisted.applyToBody(body, res);
      if (!applied) return;
      body = applied.body;
    }
    if (opts.executor && isPlainGraphQLBody(body) && (await prepared(req, res, requestId, body))) return;
    await viaApollo(req, res, body, () => opts.context(req.headers, requestId));
  };

  /**
   * An operation prepared before, or validated and planned now (`lookupOrPlan`): auth, then the
   * request-level checks Apollo's plugins make (NUL in variables, variable coercion) — any failure
   * is handed to Apollo Server with the context already built, so its answer is Apollo's own —
   * then Handoff's executor. False when it is not prepared (Apollo Server takes the request).
   */
  const prepared = async (req: IncomingMessage, res: ServerResponse, requestId: string, body: PlainGraphQLBody): Promise<boolean> => {
    const executor = opts.executor!;
    const operation = executor.lookupOrPlan(body.query, body.operationName);
    if (!operation) return false;
    let context: GatewayContext;
    try {
      context = await opts.context(req.headers, requestId);
    } catch (err) {
      await viaApollo(req, res, body, () => Promise.reject(err));
      return true;
    }
    // A client secret's operation is held to its allow-list by Apollo Server's plugin (auth/client-allow-list.ts).
    // So is a portal user's, to its role policy (portal-auth/role-policy.ts).
    if (context.principal.kind === 'CLIENT' || (context.principal.kind === 'MERCHANT' && context.principal.userRole)) {
      await viaApollo(req, res, body, () => Promise.resolve(context));
      return true;
    }
    const variables = body.variables ?? {};
    const coercion = nulPath(variables, '$') === undefined ? coerceVariables(operation, variables) : undefined;
    if (!coercion?.coerced) {
      await viaApollo(req, res, body, () => Promise.resolve(context));
      return true;
    }
    const result = await executor.execute(operation, variables, coercion.coerced, context);
    if (result.errors?.length) tagErrorsWithRequestId(result.errors, requestId);
    const rendered = renderExecutionResult(result, opts.formatError);
    res.statusCode = rendered.status;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    // Encoded once (Buffer.byteLength and then end(string) would walk the text twice).
    const bytes = Buffer.from(rendered.body, 'utf8');
    res.setHeader('content-length', bytes.length);
    res.end(bytes);
    return true;
  };

  const viaApollo = async (req: IncomingMessage, res: ServerResponse, body: unknown, context: () => Promise<GatewayContext>) => {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers, search: '', body },
      context,
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.setHeader('content-length', Buffer.byteLength(response.body.string));
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };

  return (req, res) => {
    if (!taken(req)) {
      opts.fallback(req, res);
      return;
    }
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      durationOfGraphql.observe(Number(process.hrtime.bigint() - started) / 1e9);
      metrics.httpRequests.inc({ route: '/graphql', status: res.statusCode });
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      // A JSON body is UTF-8 (RFC 8259): invalid bytes are refused, not turned into U+FFFD.
      if (!isUtf8(bytes)) {
        answer(res, 400, BAD_UTF8);
        return;
      }
      const text = bytes.toString('utf8');
      handle(req, res, requestId, text).catch((err: unknown) => {
        logger.error({ err, requestId }, 'gateway request failed');
        if (!res.headersSent) answer(res, 500, UNEXPECTED);
        else res.destroy();
      });
    });
  };
}
