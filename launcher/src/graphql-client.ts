// A tiny GraphQL-over-HTTP client for the launcher's demo data and for tests.
export interface GraphQLResult<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string; [k: string]: unknown } }>;
}

export async function graphqlRequest<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  opts: { key?: string; headers?: Record<string, string> } = {},
): Promise<GraphQLResult<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}),
      ...opts.headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body: { data?: T | null; errors?: GraphQLResult<T>['errors'] };
  try {
    body = JSON.parse(text);
  } catch {
    body = { errors: [{ message: `Non-JSON response (${res.status}): ${text.slice(0, 200)}` }] };
  }
  return { status: res.status, data: body.data, errors: body.errors };
}

/** Like graphqlRequest, but throws on any error: for set-up code that must succeed. */
export async function graphqlOrThrow<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  opts: { key?: string; headers?: Record<string, string> } = {},
): Promise<T> {
  const result = await graphqlRequest<T>(url, query, variables, opts);
  if (result.errors?.length || !result.data) {
    throw new Error(`GraphQL request failed (${result.status}): ${JSON.stringify(result.errors)}`);
  }
  return result.data;
}
