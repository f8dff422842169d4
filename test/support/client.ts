// A GraphQL client for tests: typed documents from test/generated (codegen) or plain strings,
// with the API key and extra headers of the caller.
import { print, type DocumentNode } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';

export interface GqlResponse<T> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: { code?: string; [k: string]: unknown } }>;
  headers: Headers;
}

export type Doc<R, V> = TypedDocumentNode<R, V> | DocumentNode | string;

export class GqlClient {
  constructor(
    readonly url: string,
    readonly key?: string,
    readonly headers: Record<string, string> = {},
  ) {}

  as(key: string | undefined): GqlClient {
    return new GqlClient(this.url, key, this.headers);
  }

  withHeaders(headers: Record<string, string>): GqlClient {
    return new GqlClient(this.url, this.key, { ...this.headers, ...headers });
  }

  async request<R = any, V = Record<string, unknown>>(doc: Doc<R, V>, variables?: V): Promise<GqlResponse<R>> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.key ? { authorization: `Bearer ${this.key}` } : {}),
        ...this.headers,
      },
      body: JSON.stringify({ query: typeof doc === 'string' ? doc : print(doc), variables: variables ?? {} }),
    });
    const text = await res.text();
    let body: { data?: R | null; errors?: GqlResponse<R>['errors'] };
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`Non-JSON response ${res.status}: ${text.slice(0, 300)}`);
    }
    return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
  }

  /** Expects success and returns data. */
  async ok<R = any, V = Record<string, unknown>>(doc: Doc<R, V>, variables?: V): Promise<R> {
    const r = await this.request(doc, variables);
    if (r.errors?.length || !r.data) throw new Error(`Expected success, got ${r.status}: ${JSON.stringify(r.errors)}`);
    return r.data;
  }

  /** Expects a GraphQL error and returns its code (first error). */
  async errorCode<R = any, V = Record<string, unknown>>(doc: Doc<R, V>, variables?: V): Promise<string | undefined> {
    const r = await this.request(doc, variables);
    if (!r.errors?.length) throw new Error(`Expected an error, got ${JSON.stringify(r.data)}`);
    return r.errors[0]!.extensions?.code;
  }
}
