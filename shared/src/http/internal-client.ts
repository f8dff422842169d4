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
      res = await httpPost(this.opts.url, headers, body, this.opts.timeoutMs ?? 10_000);
    } catch (err) {
      throw new InternalCallError(`${this.opts.service} → ${hostOf(this.opts.url)}: ${(err as Error).message}`, true);
    }
    let json: { data?: T | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
    try {
      json = JSON.parse(res.body.toString('utf8')) as typeof json;
    } catch {
      throw new InternalCallError(`${hostOf(this.opts.url)} answered ${res.status} without JSON`, res.status >= 500);
    }
    const first = json.errors?.[0];
    if (first) {
      const code = first.extensions?.code;
      if (isKnownErrorCode(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
        const { code: _c, ...rest } = first.extensions ?? {};
        throw new HandoffError(code, first.message, rest);
      }
      throw new InternalCallError(`${hostOf(this.opts.url)}: ${first.message}`, res.status >= 500 || code === ErrorCode.INTERNAL_SERVER_ERROR);
    }
    if (!json.data) throw new InternalCallError(`${hostOf(this.opts.url)} answered ${res.status} without data`, res.status >= 500);
    return json.data;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'subgraph';
  }
}
