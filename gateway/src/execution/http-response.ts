// The HTTP answer to an operation Handoff's executor ran without Apollo Server, built exactly as
// Apollo Server builds it: each error given a code (INTERNAL_SERVER_ERROR when it has none) and
// passed through the gateway's formatError (masking, metrics), `extensions.http` turned into the
// status, the JSON body followed by a newline, `cache-control: no-store`.
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { ExecutionResultLike } from './prepared.js';

export type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/** A POST body this path takes: one operation, no extensions (APQ and the like go to Apollo). */
export interface PlainGraphQLBody {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

export function isPlainGraphQLBody(body: unknown): body is PlainGraphQLBody {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return false;
  const b = body as Record<string, unknown>;
  if (typeof b.query !== 'string' || b.extensions !== undefined) return false;
  if (b.operationName != null && typeof b.operationName !== 'string') return false;
  return b.variables == null || (typeof b.variables === 'object' && !Array.isArray(b.variables));
}

export interface RenderedResponse {
  status: number;
  body: string;
}

export function renderExecutionResult(result: ExecutionResultLike, formatError: FormatError): RenderedResponse {
  let status = 200;
  if (!result.errors?.length) {
    // Apollo Server's field order: errors, data, extensions.
    const payload = result.extensions ? { data: result.data, extensions: result.extensions } : { data: result.data };
    return { status, body: `${JSON.stringify(payload)}\n` };
  }
  const errors = result.errors.map((raw) => {
    const error = asGraphQLError(raw);
    const extensions: Record<string, unknown> = { ...error.extensions, code: error.extensions.code ?? 'INTERNAL_SERVER_ERROR' };
    const http = extensions.http as { status?: unknown } | undefined;
    if (http) {
      if (typeof http.status === 'number') status = http.status;
      delete extensions.http;
    }
    return formatError({ ...error.toJSON(), extensions }, raw);
  });
  const payload = result.extensions ? { errors, data: result.data, extensions: result.extensions } : { errors, data: result.data };
  return { status, body: `${JSON.stringify(payload)}\n` };
}

function asGraphQLError(raw: unknown): GraphQLError {
  if (raw instanceof GraphQLError) return raw;
  if (raw instanceof Error) return new GraphQLError(raw.message, { originalError: raw });
  return new GraphQLError(`Unexpected error value: ${String(raw)}`);
}
