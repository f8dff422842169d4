// Signed service-to-service GraphQL calls: one subgraph asking another (e.g. checkout asking
// payment-intent to create an intent), never through another subgraph's tables. The caller is
// a SERVICE principal, signed exactly as the gateway signs, so the callee's checks apply.
import { randomUUID } from 'node:crypto';
import { HandoffError, isKnownErrorCode, ErrorCode } from '../errors/codes.js';
import { encodePrincipal, PRINCIPAL_HEADER, SIGNATURE_HEADER, signRequest } from '../identity/signing.js';
import type { Principal } from '../identity/principal.js';
import { currentRequestId, REQUEST_ID_HEADER } from '../logging/logger.js';
import { IDEMPOTENCY_KEY_HEADER } from './context.js';
import { httpPost, type HttpPostResult } from './http-post.js';
import { componentOf, SpanKind, traceHeaders, withSpan } from '../tracing/tracing.js';

export interface InternalClientOptions {
  /** The callee's GraphQL URL (…/graphql). */
  url: string;
  secret: string;
  /** The calling service's name, as its SERVICE principal. */
  service: string;
  timeoutMs?: number;
}

export interface InternalCallOptions {
  /** Act on behalf of this principal instead of the service (the callee then applies its rules). */
  principal?: Principal;
  idempotencyKey?: string;
}

/** The callee could not be reached or answered something that is not GraphQL: retryable. */
export class InternalCallError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'InternalCallError';
  }
}

export class InternalClient {
  private readonly principal: Principal;

  constructor(private readonly opts: InternalClientOptions) {
    this.principal = { kind: 'SERVICE', service: opts.service };
  }

  /**
   * Runs `query` at the callee. A GraphQL error with a Handoff code is rethrown as the same
   * HandoffError (so a NOT_FOUND there is a NOT_FOUND here); anything else is an InternalCallError.
   */
  async request<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}, call: InternalCallOptions = {}): Promise<T> {
    const { json, status } = await this.post<T>(query, variables, call);
    const first = json.errors?.[0];
    if (first) throw this.errorOf(first, status);
    if (!json.data) throw new InternalCallError(`${hostOf(this.opts.url)} answered ${status} without data`, status >= 500);
    return json.data;
  }

  /**
   * Runs a query with several root fields, each one answered on its own: a field whose resolver
   * failed comes back as its error (as `request` would throw it) beside the others' data, instead
   * of failing the whole call. A failure of the call itself is thrown.
   */
  async requestFields<T extends Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    call: InternalCallOptions = {},
  ): Promise<{ data: Partial<T>; errors: Partial<Record<keyof T, Error>> }> {
    const { json, status } = await this.post<T>(query, variables, call);
    const errors: Partial<Record<keyof T, Error>> = {};
    for (const e of json.errors ?? []) {
      const field = e.path?.[0];
      // An error with no root field (validation, authentication) fails the whole call.
      if (typeof field !== 'string') throw this.errorOf(e, status);
      errors[field as keyof T] ??= this.errorOf(e, status);
    }
    if (!json.data) throw new InternalCallError(`${hostOf(this.opts.url)} answered ${status} without data`, status >= 500);
    return { data: json.data, errors };
  }

  private async post<T>(query: string, variables: Record<string, unknown>, call: InternalCallOptions): Promise<{ json: GraphQLAnswer<T>; status: number }> {
    const body = JSON.stringify({ query, variables });
    const requestId = currentRequestId() ?? randomUUID();
    const principalB64 = encodePrincipal(call.principal ?? this.principal);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [REQUEST_ID_HEADER]: requestId,
      [PRINCIPAL_HEADER]: principalB64,
      [SIGNATURE_HEADER]: signRequest({ secret: this.opts.secret, principalB64, requestId, body }),
    };
    if (call.idempotencyKey) headers[IDEMPOTENCY_KEY_HEADER] = call.idempotencyKey;
    let res: HttpPostResult;
    try {
      // A client span of the calling component, its traceparent sent along (shared/src/tracing).
      res = await withSpan(componentOf() ?? this.opts.service, `POST ${hostOf(this.opts.url)}`, { kind: SpanKind.CLIENT, attributes: { 'server.address': hostOf(this.opts.url) } }, () =>
        httpPost(this.opts.url, { ...headers, ...traceHeaders() }, body, this.opts.timeoutMs ?? 10_000),
      );
    } catch (err) {
      throw new InternalCallError(`${this.opts.service} → ${hostOf(this.opts.url)}: ${(err as Error).message}`, true);
    }
    try {
      return { json: JSON.parse(res.body.toString('utf8')) as GraphQLAnswer<T>, status: res.status };
    } catch {
      throw new InternalCallError(`${hostOf(this.opts.url)} answered ${res.status} without JSON`, res.status >= 500);
    }
  }

  /** A GraphQL error with a Handoff code is the same HandoffError here; anything else is an InternalCallError. */
  private errorOf(e: GraphQLAnswerError, status: number): Error {
    const code = e.extensions?.code;
    if (isKnownErrorCode(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
      const { code: _c, ...rest } = e.extensions ?? {};
      return new HandoffError(code, e.message, rest);
    }
    return new InternalCallError(`${hostOf(this.opts.url)}: ${e.message}`, status >= 500 || code === ErrorCode.INTERNAL_SERVER_ERROR);
  }
}

interface GraphQLAnswerError {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
}

interface GraphQLAnswer<T> {
  data?: T | null;
  errors?: GraphQLAnswerError[];
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'subgraph';
  }
}
