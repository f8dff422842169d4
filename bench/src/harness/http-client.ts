// The benches' HTTP client: undici's request() on one keep-alive Agent. The load generator runs on
// the same two cores as the Handoff it measures, so what it spends is taken from Handoff: Node's
// global fetch (undici's WHATWG layer: Request, Headers, web streams, an AbortSignal per call)
// cost the system bench's senders about as much CPU per webhook as Handoff's whole acknowledgement.
import { Agent, request } from 'undici';

const agent = new Agent({ keepAliveTimeout: 30_000, connections: null, pipelining: 1 });

export interface PostAnswer {
  status: number;
  text: string;
  header(name: string): string | null;
}

/** POSTs `body`; rejects with an error named 'TimeoutError' after `timeoutMs`, or the connection's error. */
export async function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<PostAnswer> {
  const res = await request(url, {
    method: 'POST',
    headers,
    body,
    dispatcher: agent,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  }).catch((err: unknown) => {
    throw isTimeout(err) ? Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: 'TimeoutError' }) : err;
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    text,
    header: (name) => {
      const v = res.headers[name.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? (v[0] ?? null) : v;
    },
  };
}

function isTimeout(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
}
