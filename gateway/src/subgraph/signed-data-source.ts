// How the gateway talks to one subgraph: the caller's principal and the request id go in headers
// (the fetcher signs them with the body), the client's Idempotency-Key goes along for a request
// that is one mutation, and nothing else the client sent is forwarded.
//
// A GraphQLDataSource of @apollo/gateway's (it only calls `process`) that does not extend its
// RemoteGraphQLDataSource: importing that loads @apollo/gateway's whole index (its OpenTelemetry
// SDK, make-fetch-happen, composition: 15 MB of heap), which the gateway loads only when an
// operation needs @apollo/gateway (execution/apollo-fallback.ts).
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError, Kind, type OperationDefinitionNode } from 'graphql';
import { IDEMPOTENCY_KEY_HEADER } from '@handoff/shared/http/context';
import { isKnownErrorCode } from '@handoff/shared/errors/codes';
import { PRINCIPAL_HEADER } from '@handoff/shared/identity/signing';
import { REQUEST_ID_HEADER, type Logger } from '@handoff/shared/logging/logger';
import type { GatewayContext } from '../context.js';
import { ANONYMOUS_PRINCIPAL_HEADER } from '../auth/authenticator.js';
import type { DeadlineOf } from './call-deadline.js';
import { LeanResponse, type SigningClient } from './signing-fetcher.js';

type GatewayGraphQLResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

/** Code of a subgraph call that failed at the HTTP level; not a public code, so masked at the edge. */
export const SUBGRAPH_HTTP_ERROR = 'SUBGRAPH_HTTP_ERROR';

export interface SignedDataSourceOptions {
  url: string;
  /** Subgraph name, for logs. */
  name: string;
  logger: Logger;
  /** The signing HTTP client for this subgraph. */
  client: SigningClient;
  /** The deadline of a call by its operation text; the client's own timeout when absent. */
  deadlineOf?: DeadlineOf;
}

export class SignedDataSource implements GraphQLDataSource<GatewayContext> {
  readonly url: string;
  readonly name: string;
  readonly logger: Logger;
  readonly client: SigningClient;
  readonly deadlineOf?: DeadlineOf;

  constructor(opts: SignedDataSourceOptions) {
    this.url = opts.url;
    this.name = opts.name;
    this.logger = opts.logger;
    this.client = opts.client;
    this.deadlineOf = opts.deadlineOf;
  }

  /**
   * What @apollo/gateway calls, as RemoteGraphQLDataSource.process minus what costs without
   * serving us: the headers are a plain object, the body is serialized once and the signing
   * client is called directly. Behaviour kept: willSendRequest sets the headers, a non-2xx answer
   * goes through errorFromResponse, a non-object body is an error. Not kept: APQ to subgraphs and
   * honoring the subgraphs' Cache-Control (both off in Handoff).
   */
  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    request.http = { method: 'POST', url: this.url, headers: { set: (k: string, v: string) => void (headers[k.toLowerCase()] = v) } as never };
    this.willSendRequest(options);
    if (!request.query) throw new Error('Missing query');
    const body = JSON.stringify({
      query: request.query,
      variables: request.variables,
      ...(request.operationName ? { operationName: request.operationName } : {}),
      ...(request.extensions ? { extensions: request.extensions } : {}),
    });
    return this.send(body, headers, request.query);
  }

  /**
   * One signed call with a ready body and headers (Handoff's executor calls this directly): a
   * non-2xx answer goes through errorFromResponse, a body that is not a JSON object is an error.
   * `operation` (the subgraph operation the body carries) sets the call's deadline.
   */
  async send(body: string, headers: Record<string, string>, operation?: string): Promise<GatewayGraphQLResponse> {
    const timeoutMs = operation !== undefined && this.deadlineOf ? this.deadlineOf(operation) : undefined;
    const response = await this.client.post(this.url, headers, body, timeoutMs);
    const { status } = response;
    if (status < 200 || status >= 300) {
      throw await this.errorFromResponse(new LeanResponse(this.url, status, response.statusText, response.headers, response.body));
    }
    // As RemoteGraphQLDataSource.parseBody: JSON when the answer says so, else its text (an error below).
    const text = response.body.toString('utf8');
    const type = response.headers['content-type'];
    const json = type !== undefined && (type.startsWith('application/json') || type.startsWith('application/graphql-response+json'));
    const parsed: unknown = json ? JSON.parse(text) : text;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`Expected JSON response body, but received: ${String(parsed).slice(0, 200)}`);
    return parsed as GatewayGraphQLResponse;
  }

  willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = options.request.http!.headers;
    if (!('incomingRequestContext' in options)) {
      // Health checks and schema loading (unused here: the supergraph is static).
      headers.set(PRINCIPAL_HEADER, ANONYMOUS_PRINCIPAL_HEADER);
      return;
    }
    const { context } = options;
    headers.set(PRINCIPAL_HEADER, context.principalHeader);
    headers.set(REQUEST_ID_HEADER, context.requestId);
    if (
      context.idempotencyKey !== undefined &&
      options.request.query?.startsWith('mutation') &&
      isSingleMutation(options.incomingRequestContext.operation)
    ) {
      headers.set(IDEMPOTENCY_KEY_HEADER, context.idempotencyKey);
    }
  }

  /**
   * A non-2xx answer. The subgraph masks its own errors, so a 4xx carrying one GraphQL error with
   * a public code (e.g. BAD_USER_INPUT for a variable its scalar rejected) is passed on as that
   * error. Anything else (401/403 = our signature was refused, 5xx, non-GraphQL bodies) is the
   * gateway's problem: logged with the details, shown to the client as "Unexpected error.".
   */
  async errorFromResponse(response: LeanResponse): Promise<GraphQLError> {
    const body = await parseBody(response).catch(() => undefined);
    const first = firstGraphQLError(body);
    if (response.status >= 400 && response.status < 500 && response.status !== 401 && response.status !== 403 && first) {
      return new GraphQLError(first.message, { extensions: first.extensions });
    }
    this.logger?.error(
      { subgraph: this.name, status: response.status, body: typeof body === 'string' ? body.slice(0, 500) : body },
      'subgraph call failed',
    );
    return new GraphQLError(`Subgraph ${this.name} answered HTTP ${response.status}.`, {
      extensions: { code: SUBGRAPH_HTTP_ERROR, serviceName: this.name },
    });
  }
}

/** As RemoteGraphQLDataSource.parseBody: JSON when the answer says so, else its text. */
function parseBody(response: LeanResponse): Promise<unknown> {
  const type = response.headers.get('content-type');
  return type && (type.startsWith('application/json') || type.startsWith('application/graphql-response+json')) ? response.json() : response.text();
}

function firstGraphQLError(body: unknown): { message: string; extensions: Record<string, unknown> } | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const errors = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const e = errors[0] as { message?: unknown; extensions?: Record<string, unknown> };
  if (typeof e?.message !== 'string' || !isKnownErrorCode(e.extensions?.code)) return undefined;
  return { message: e.message, extensions: e.extensions! };
}

/** One mutation field at the root: only then does a single Idempotency-Key mean one thing. */
export function isSingleMutation(operation: OperationDefinitionNode | undefined): boolean {
  if (!operation || operation.operation !== 'mutation') return false;
  const selections = operation.selectionSet.selections;
  return selections.length === 1 && selections[0]!.kind === Kind.FIELD;
}
