// A stand-in for Stripe's HTTP API (Stripe cannot be reached from here), answering the few
// endpoints the Stripe connector calls, in Stripe's shapes, through the real `stripe` SDK:
// create, confirm (succeeds), refund (answers `pending`, Stripe's answer for some methods).
// Idempotent on the Idempotency-Key header as Stripe is. `hang` makes every call time out.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeStripeApi {
  url: string;
  /** Every request: method, path, Idempotency-Key and the form fields. */
  requests: Array<{ method: string; path: string; idempotencyKey: string | undefined; form: Record<string, string> }>;
  hang: boolean;
  close(): Promise<void>;
}

export async function startFakeStripeApi(): Promise<FakeStripeApi> {
  const intents = new Map<string, Record<string, unknown>>();
  const byKey = new Map<string, Record<string, unknown>>();
  const api: FakeStripeApi = { url: '', requests: [], hang: false, close: async () => undefined };

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${Date.now()}` });
    res.end(JSON.stringify(body));
  };
  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const form = Object.fromEntries(new URLSearchParams(raw));
    const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
    const path = (req.url ?? '').split('?')[0]!;
    api.requests.push({ method: req.method ?? '', path, idempotencyKey, form });
    if (api.hang) return; // never answers: the client's timeout must end it
    const replay = idempotencyKey && byKey.get(`${path}:${idempotencyKey}`);
    if (replay) return answer(res, 200, replay);
    const remember = (body: Record<string, unknown>) => {
      if (idempotencyKey) byKey.set(`${path}:${idempotencyKey}`, body);
      answer(res, 200, body);
    };
    const id = (prefix: string) => `${prefix}_${createHash('sha256').update(`${path}:${idempotencyKey ?? Math.random()}`).digest('hex').slice(0, 20)}`;
    const metadata = Object.fromEntries(Object.entries(form).filter(([k]) => k.startsWith('metadata[')).map(([k, v]) => [k.slice(9, -1), v]));
    let m: RegExpExecArray | null;
    if (req.method === 'POST' && path === '/v1/payment_intents') {
      const pi = { id: id('pi'), object: 'payment_intent', amount: Number(form.amount), amount_received: 0, currency: form.currency, status: 'requires_payment_method', metadata, capture_method: form.capture_method };
      intents.set(pi.id, pi);
      return remember(pi);
    }
    if (req.method === 'POST' && (m = /^\/v1\/payment_intents\/([^/]+)\/confirm$/.exec(path))) {
      const pi = intents.get(m[1]!);
      if (!pi) return answer(res, 404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such payment_intent' } });
      Object.assign(pi, { status: 'succeeded', amount_received: pi.amount, payment_method: form.payment_method });
      return remember(pi);
    }
    if (req.method === 'POST' && path === '/v1/refunds') {
      return remember({ id: id('re'), object: 'refund', amount: Number(form.amount), currency: 'gbp', payment_intent: form.payment_intent, status: 'pending' });
    }
    answer(res, 404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${path})` } });
  };

  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => handle(req, res, raw));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return api;
}
