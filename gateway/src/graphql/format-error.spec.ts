import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createFormatError, stripSuggestions, tagErrorsWithRequestId } from './format-error.js';
import { QueryLimitError } from './limits.js';

const logged: unknown[] = [];
const logger = { error: (obj: object) => void logged.push(obj) };
const dev = createFormatError({ production: false, logger });
const prod = createFormatError({ production: true, logger });

describe('gateway formatError', () => {
  it('strips extensions.response (subgraph URL, status, body) and serviceName from a known-code error', () => {
    const formatted: GraphQLFormattedError = {
      message: 'Merchant not found.',
      path: ['merchant'],
      extensions: {
        code: 'MERCHANT_NOT_FOUND',
        serviceName: 'merchant',
        response: { url: 'http://10.0.0.5:4001/graphql', status: 200, body: { errors: [{ stack: 'at /srv/x.ts:1' }] } },
        exception: { stacktrace: ['Error: x', '    at /srv/app/y.ts:10'] },
      },
    };
    expect(dev(formatted, new GraphQLError('x'))).toEqual({ message: 'Merchant not found.', path: ['merchant'], extensions: { code: 'MERCHANT_NOT_FOUND' } });
  });

  it('masks a subgraph HTTP failure as @apollo/gateway reports it (message "500: Internal Server Error", response with URL and body)', () => {
    const formatted: GraphQLFormattedError = {
      message: '500: Internal Server Error',
      path: ['conversions'],
      extensions: {
        response: { url: 'http://127.0.0.1:4004/graphql', status: 500, statusText: 'Internal Server Error', body: 'pg: password authentication failed for user "admin"' },
        serviceName: 'conversion-ledger',
      },
    };
    const out = dev(formatted, new GraphQLError(formatted.message));
    expect(out).toEqual({ message: 'Unexpected error.', path: ['conversions'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(JSON.stringify(out)).not.toMatch(/127\.0\.0\.1|pg:|admin/);
  });

  it('masks errors with unknown or internal codes, and plain errors with a URL or a stack in the message', () => {
    const cases: GraphQLFormattedError[] = [
      { message: 'Subgraph merchant answered HTTP 401.', extensions: { code: 'SUBGRAPH_HTTP_ERROR', serviceName: 'merchant' } },
      { message: 'request to http://127.0.0.1:4001/graphql failed, reason: connect ECONNREFUSED', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      { message: 'Unknown operation named "x".', extensions: { code: 'INVALID_GRAPHQL' } },
      { message: 'relation "merchant.merchant" does not exist' },
    ];
    for (const c of cases) expect(dev(c, new Error(c.message))).toEqual({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(logged.length).toBeGreaterThanOrEqual(cases.length); // the detail is in the log
  });

  it('turns a query limit failure (wrapped by Apollo as a validation error) into QUERY_TOO_COMPLEX', () => {
    const limit = new QueryLimitError('Query depth limit of 12 exceeded, found 14.', 'depth');
    const wrapped = new GraphQLError(limit.message, { originalError: limit, extensions: { ...limit.extensions, code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(dev({ message: wrapped.message, extensions: wrapped.extensions }, wrapped)).toEqual({
      message: 'Query depth limit of 12 exceeded, found 14.',
      extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'depth' },
    });
  });

  it("turns graphql-js's token limit syntax error into QUERY_TOO_COMPLEX", () => {
    const out = dev(
      { message: 'Syntax Error: Document contains more that 2000 tokens. Parsing aborted.', locations: [{ line: 1, column: 9 }], extensions: { code: 'GRAPHQL_PARSE_FAILED' } },
      new GraphQLError('x'),
    );
    expect(out).toEqual({ message: 'Token limit of 2000 exceeded.', locations: [{ line: 1, column: 9 }], extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'tokens' } });
  });

  it('keeps suggestions in development and strips them in production', () => {
    const f: GraphQLFormattedError = { message: 'Cannot query field "mrchant" on type "Query". Did you mean "merchant" or "merchants"?', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
    expect(dev(f, null).message).toBe(f.message);
    expect(prod(f, null).message).toBe('Cannot query field "mrchant" on type "Query".');
  });

  it('logs a masked error with the id of the request it was tagged with, and without one otherwise', () => {
    logged.length = 0;
    const tagged = new GraphQLError('boom at http://10.0.0.5:4001', { extensions: { code: 'SUBGRAPH_HTTP_ERROR' } });
    const untagged = new GraphQLError('boom too', { extensions: { code: 'SUBGRAPH_HTTP_ERROR' } });
    tagErrorsWithRequestId([tagged, 'not an object'], 'req-abc-123');
    expect(prod({ message: tagged.message, extensions: tagged.extensions }, tagged).message).toBe('Unexpected error.');
    prod({ message: untagged.message, extensions: untagged.extensions }, untagged);
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatchObject({ requestId: 'req-abc-123', err: tagged });
    expect(logged[1]).not.toHaveProperty('requestId');
  });

  it('counts every returned error by its final code', () => {
    const codes: string[] = [];
    const f = createFormatError({ production: false, onError: (c) => codes.push(c) });
    f({ message: 'x', extensions: { code: 'FORBIDDEN' } }, null);
    f({ message: 'y' }, null);
    expect(codes).toEqual(['FORBIDDEN', 'INTERNAL_SERVER_ERROR']);
  });
});

describe('stripSuggestions', () => {
  it('removes every "Did you mean …?" form graphql-js produces', () => {
    expect(stripSuggestions('Unknown argument "frist" on field "Query.offers". Did you mean "first"?')).toBe('Unknown argument "frist" on field "Query.offers".');
    expect(stripSuggestions('Unknown type "Merchnt". Did you mean "Merchant"?')).toBe('Unknown type "Merchnt".');
    expect(stripSuggestions('Value "ADMN" does not exist in "Role" enum. Did you mean the enum value "ADMIN"?')).toBe('Value "ADMN" does not exist in "Role" enum.');
    expect(stripSuggestions('Cannot query field "x" on type "Query". ?')).toBe('Cannot query field "x" on type "Query".'); // armor's masked leftover
    expect(stripSuggestions('Plain message.')).toBe('Plain message.');
  });
});
