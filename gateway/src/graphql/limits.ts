// Query limits: graphql-armor's depth, alias, cost and directive rules, reporting a
// QueryLimitError into validation (→ HTTP 400, code QUERY_TOO_COMPLEX at the edge), and the token
// limit enforced by graphql's own parser.
//
// Why not armor's max-tokens plugin: it re-parses the document in Apollo's `parsingDidStart`
// hook, where any throw (its own limit, or a plain syntax error in garbage input) escapes
// Apollo's parse error handling and is answered as HTTP 500. graphql-js's `parse(source,
// { maxTokens })` counts the same lexer tokens inside the real parse, so a long document is cut
// off after `maxTokens` tokens (never fully lexed twice) and every failure is a syntax error (400).
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type ParseOptions, type ValidationContext, type ValidationRule } from 'graphql';
import { ErrorCode } from '@handoff/shared/errors/codes';
import type { QueryLimits } from '../config.js';

export type QueryLimitName = 'depth' | 'aliases' | 'cost' | 'directives' | 'tokens';

/** A document over one of the limits. Its message says which limit, and by how much. */
export class QueryLimitError extends GraphQLError {
  constructor(
    message: string,
    readonly limit: QueryLimitName,
  ) {
    super(message, { extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, limit } });
    this.name = 'QueryLimitError';
  }
}

function reportAs(limit: QueryLimitName) {
  return (ctx: ValidationContext | null, error: GraphQLError) => {
    // armor prefixes "Syntax Error: " to limit messages; these are not syntax errors.
    ctx?.reportError(new QueryLimitError(error.message.replace(/^Syntax Error:\s*/, ''), limit));
  };
}

export interface QueryProtection {
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin[];
  parseOptions: ParseOptions;
}

export function queryProtection(limits: QueryLimits, opts: { hideSuggestions: boolean }): QueryProtection {
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, propagateOnRejection: false, onReject: [reportAs('depth')] },
    maxAliases: { n: limits.maxAliases, propagateOnRejection: false, onReject: [reportAs('aliases')] },
    costLimit: { maxCost: limits.maxCost, propagateOnRejection: false, onReject: [reportAs('cost')] },
    maxDirectives: { n: limits.maxDirectives, propagateOnRejection: false, onReject: [reportAs('directives')] },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: opts.hideSuggestions, mask: '' },
  });
  const { validationRules, plugins } = armor.protect();
  return {
    validationRules: validationRules as ValidationRule[],
    plugins: plugins as ApolloServerPlugin[],
    parseOptions: { maxTokens: limits.maxTokens },
  };
}

const TOKEN_LIMIT_MESSAGE = /^Syntax Error: Document contains more tha[nt] (\d+) tokens/;

/** graphql-js's token-limit syntax error, as a QUERY_TOO_COMPLEX message; undefined for other errors. */
export function tokenLimitMessage(message: string): string | undefined {
  const m = TOKEN_LIMIT_MESSAGE.exec(message);
  return m ? `Token limit of ${m[1]} exceeded.` : undefined;
}

/** The QueryLimitError behind an error Apollo wrapped (ValidationError keeps it as originalError). */
export function queryLimitErrorOf(error: unknown): QueryLimitError | undefined {
  for (let e = error, i = 0; e && i < 5; e = (e as { originalError?: unknown }).originalError, i++) {
    if (e instanceof QueryLimitError) return e;
  }
  return undefined;
}
