// Error masking at every edge (gateway and subgraphs): expected errors keep their message and
// stable code; everything else becomes "Unexpected error." with the detail only in the log.
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode, isKnownErrorCode } from './codes.js';
import { isTransientInfrastructureError } from './transient.js';

export const UNEXPECTED_MESSAGE = 'Unexpected error.';
export const SERVICE_UNAVAILABLE_MESSAGE = 'Service temporarily unavailable; retry shortly.';

/**
 * Extensions a client may see; everything else (stack, response, serviceName, …) is dropped.
 * `blockers`: CHECKOUT_NOT_READY's list of what stops the payment ({ code, message, promotionCode?, reason?, lineId? }).
 */
const visibleExtensions = ['code', 'reason', 'field', 'cost', 'limit', 'blockers'] as const;

export interface MaskLogger {
  error(obj: object, msg?: string): void;
  warn?(obj: object, msg?: string): void;
}

/**
 * Apollo Server `formatError`: keeps known codes (with safe extensions), masks the rest.
 * `original` is the thrown error, used only for logging.
 */
export function maskFormattedError(
  formatted: GraphQLFormattedError,
  original: unknown,
  logger?: MaskLogger,
): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (isKnownErrorCode(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    const extensions: Record<string, unknown> = {};
    for (const key of visibleExtensions) {
      if (formatted.extensions?.[key] !== undefined) extensions[key] = formatted.extensions[key];
    }
    return {
      message: sanitizeMessage(formatted.message),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions,
    };
  }
  if (isTransientInfrastructureError(original)) {
    logger?.warn?.({ err: original }, 'infrastructure unavailable');
    return {
      message: SERVICE_UNAVAILABLE_MESSAGE,
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.SERVICE_UNAVAILABLE },
    };
  }
  if (formatted.message !== UNEXPECTED_MESSAGE) {
    logger?.error({ err: original, formatted }, 'unexpected error masked');
  }
  return {
    message: UNEXPECTED_MESSAGE,
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}

/**
 * Parse and validation messages quote the client's own input, which is fine; but a message that
 * somehow carries a URL with a host:port or a file path is cut back to something safe.
 */
function sanitizeMessage(message: string): string {
  return message.replace(/\bhttps?:\/\/[^\s"']+/g, '<url>').slice(0, 2000);
}
