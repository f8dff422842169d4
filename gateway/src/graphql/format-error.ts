// The gateway's formatError: every error a client sees passes here. Query limit failures get
// QUERY_TOO_COMPLEX; public codes keep their message (minus suggestions in production); anything
// else, including a subgraph's HTTP failure that @apollo/gateway describes with its URL, status
// and body in `extensions.response`, becomes "Unexpected error." (shared maskFormattedError).
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '@handoff/shared/errors/codes';
import { maskFormattedError, type MaskLogger } from '@handoff/shared/errors/mask';
import { queryLimitErrorOf, tokenLimitMessage } from './limits.js';

export interface FormatErrorOptions {
  production: boolean;
  logger?: MaskLogger;
  /** Counts each error returned, by its final code. */
  onError?: (code: string) => void;
}

/** The request each error belongs to (the gateway keeps no AsyncLocalStorage to ask). */
const requestIds = new WeakMap<object, string>();

/** Marks errors with their request's id, so the line logging a masked one carries it. */
export function tagErrorsWithRequestId(errors: readonly unknown[], requestId: string): void {
  for (const error of errors) if (error !== null && typeof error === 'object') requestIds.set(error, requestId);
}

function withRequestId(logger: MaskLogger, requestId: string): MaskLogger {
  return {
    error: (obj, msg) => logger.error({ ...obj, requestId }, msg),
    warn: logger.warn ? (obj, msg) => logger.warn!({ ...obj, requestId }, msg) : undefined,
  };
}

export function createFormatError(opts: FormatErrorOptions) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const requestId = error !== null && typeof error === 'object' ? requestIds.get(error) : undefined;
    const logger = requestId !== undefined && opts.logger ? withRequestId(opts.logger, requestId) : opts.logger;
    let input = formatted;
    const limitError = queryLimitErrorOf(error);
    if (limitError) {
      input = { ...formatted, message: limitError.message, extensions: { ...formatted.extensions, code: ErrorCode.QUERY_TOO_COMPLEX, limit: limitError.limit } };
    } else if (formatted.extensions?.code === ErrorCode.GRAPHQL_PARSE_FAILED) {
      const tooLong = tokenLimitMessage(formatted.message);
      if (tooLong) input = { ...formatted, message: tooLong, extensions: { ...formatted.extensions, code: ErrorCode.QUERY_TOO_COMPLEX, limit: 'tokens' } };
    }
    const masked = maskFormattedError(input, error, logger);
    const out = opts.production ? { ...masked, message: stripSuggestions(masked.message) } : masked;
    opts.onError?.(String(out.extensions?.code ?? 'NONE'));
    return out;
  };
}

/** Removes graphql-js's "Did you mean …?" hints (field, argument, type and enum value names). */
export function stripSuggestions(message: string): string {
  return message.replace(/\s*Did you mean[^?]*\?/g, '').replace(/\s+\?$/, '');
}
