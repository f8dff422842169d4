// Raw HTTP helpers for gateway tests: what a client (or an attacker) sends, byte for byte.
export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export async function postRaw(url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<RawResponse> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return toRaw(res);
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  return postRaw(url, JSON.stringify(body), headers);
}

export async function getRaw(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return toRaw(await fetch(url, { headers }));
}

async function toRaw(res: Response): Promise<RawResponse> {
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
