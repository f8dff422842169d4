// Text holding U+0000 (NUL), in a variable (at any depth, keys included) or a string literal of
// the document. PostgreSQL cannot store it in text or jsonb, so it reached the subgraphs' queries
// as an "invalid byte sequence" error: a 500 for what is bad input. Refused here, at the one
// public edge, as BAD_USER_INPUT naming where it was, before anything executes.
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, visit, type DocumentNode } from 'graphql';
import { ErrorCode } from '@handoff/shared/errors/codes';

const NUL = '\u0000';

/** The path of the first string (or key) holding NUL, e.g. `$input.metadata.note`; undefined if none. */
export function nulPath(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes(NUL) ? path : undefined;
  if (!value || typeof value !== 'object' || depth > 256) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulPath(value[i], `${path}[${i}]`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, v] of Object.entries(value)) {
    if (key.includes(NUL)) return `${path}.<key>`;
    const found = nulPath(v, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * Whether a string literal of the document holds NUL. A literal can only get one from a raw NUL or
 * a `\u` escape in the text, so a text with neither (nearly every one) needs no walk of the document.
 */
function literalWithNul(document: DocumentNode, source: string | undefined): boolean {
  if (typeof source === 'string' && !source.includes(NUL) && !source.includes('\\u')) return false;
  let found = false;
  visit(document, {
    StringValue(node) {
      if (node.value.includes(NUL)) found = true;
    },
  });
  return found;
}

export function refuseNulPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(ctx) {
          const where = nulPath(ctx.request.variables ?? {}, '$') ?? (literalWithNul(ctx.document, ctx.source) ? 'a string literal' : undefined);
          if (!where) return;
          const field = where.replace(/^\$\.?/, '$');
          throw new GraphQLError(`${field}: text may not contain the NUL character (U+0000).`, {
            extensions: { code: ErrorCode.BAD_USER_INPUT, field, http: { status: 400 } },
          });
        },
      };
    },
  };
}
