// The system floor (issue 24, item 5; bench only, never shipped): agent checkout and webhook
// acknowledgement hand-written in ONE process with plain node:http and pg — no GraphQL, no
// federation, no HTTP hops between services, no ORM — making the same durable writes Handoff
// makes for them, each client call one transaction:
//   POST /floor/sessions         agent session + outbox row
//   POST /floor/recommendations  reads the session (the agent's) and the offer; recommendation + outbox row
//   POST /floor/checkouts        idempotency key (a repeat answers the first answer); reads the
//                                recommendation, session and offer; checkout session, payment intent
//                                (AAP metadata signed with Ed25519, as checkout signs it) + 2 outbox rows
//   POST /floor/webhooks/:merchant  HMAC signature verified (Handoff's scheme), inbox row (event id unique)
// Callers authenticate with a bearer key (sha-256 looked up, cached in memory as Handoff caches
// its principals). What it does NOT do is in bench/RESULTS.md ("System floor"): no PSP call (the
// provider id is made here), no Redis (nothing relays the outbox or processes the inbox), no
// input validation beyond presence, no tenant rules beyond "the agent's own session".
// Run by floor.ts as a child process: FLOOR_DATABASE_URL, FLOOR_PORT, FLOOR_POOL_SIZE, AAP_SIGNING_KEY (base64 PKCS#8).
import { createHash, createPrivateKey, randomUUID, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import pg from 'pg';
import { verifySignature } from '@handoff/shared/identity/webhook-signature';

export const FLOOR_SCHEMA_SQL = `
CREATE SCHEMA IF NOT EXISTS floor;
CREATE TABLE IF NOT EXISTS floor.api_keys (hash text PRIMARY KEY, agent_id uuid NOT NULL);
CREATE TABLE IF NOT EXISTS floor.merchants (id uuid PRIMARY KEY, webhook_secret text NOT NULL);
CREATE TABLE IF NOT EXISTS floor.offers (id uuid PRIMARY KEY, merchant_id uuid NOT NULL REFERENCES floor.merchants, amount_minor int NOT NULL, currency text NOT NULL);
CREATE TABLE IF NOT EXISTS floor.agent_sessions (id uuid PRIMARY KEY, agent_id uuid NOT NULL, query text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS floor.recommendations (id uuid PRIMARY KEY, session_id uuid NOT NULL REFERENCES floor.agent_sessions, offer_id uuid NOT NULL REFERENCES floor.offers, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS floor.checkout_sessions (id uuid PRIMARY KEY, recommendation_id uuid NOT NULL UNIQUE REFERENCES floor.recommendations, merchant_id uuid NOT NULL, amount_minor int NOT NULL, currency text NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS floor.payment_intents (id uuid PRIMARY KEY, checkout_session_id uuid NOT NULL REFERENCES floor.checkout_sessions, provider_payment_id text NOT NULL UNIQUE, amount_minor int NOT NULL, currency text NOT NULL, metadata jsonb NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS floor.outbox (id bigserial PRIMARY KEY, topic text NOT NULL, payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), delivered_at timestamptz);
CREATE TABLE IF NOT EXISTS floor.idempotency_keys (agent_id uuid NOT NULL, key text NOT NULL, response jsonb, created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (agent_id, key));
CREATE TABLE IF NOT EXISTS floor.webhook_inbox (merchant_id uuid NOT NULL, event_id text NOT NULL, type text NOT NULL, payload jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now(), processed_at timestamptz, PRIMARY KEY (merchant_id, event_id));
`;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function main(): void {
  const pool = new pg.Pool({ connectionString: process.env.FLOOR_DATABASE_URL, max: Number(process.env.FLOOR_POOL_SIZE ?? 10), application_name: 'handoff-floor' });
  const aapKey = createPrivateKey({ key: Buffer.from(process.env.AAP_SIGNING_KEY ?? '', 'base64'), format: 'der', type: 'pkcs8' });
  const agents = new Map<string, string>();
  const secrets = new Map<string, string>();

  const agentOf = async (req: IncomingMessage): Promise<string> => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) throw new HttpError(401, 'UNAUTHENTICATED');
    const hash = sha256(token);
    let agent = agents.get(hash);
    if (!agent) {
      agent = (await pool.query<{ agent_id: string }>('SELECT agent_id FROM floor.api_keys WHERE hash = $1', [hash])).rows[0]?.agent_id;
      if (!agent) throw new HttpError(401, 'UNAUTHENTICATED');
      agents.set(hash, agent);
    }
    return agent;
  };

  const tx = async <T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  };

  const outbox = (c: pg.PoolClient, topic: string, payload: object) => c.query('INSERT INTO floor.outbox (topic, payload) VALUES ($1, $2)', [topic, JSON.stringify(payload)]);

  const startSession = async (agent: string, body: { query?: string }) => {
    if (!body.query) throw new HttpError(400, 'BAD_USER_INPUT');
    const id = randomUUID();
    await tx(async (c) => {
      await c.query('INSERT INTO floor.agent_sessions (id, agent_id, query) VALUES ($1, $2, $3)', [id, agent, body.query]);
      await outbox(c, 'agent_session.started', { id, agentId: agent });
    });
    return { id };
  };

  const recommend = async (agent: string, body: { session_id?: string; offer_id?: string }) => {
    if (!body.session_id || !body.offer_id) throw new HttpError(400, 'BAD_USER_INPUT');
    const id = randomUUID();
    await tx(async (c) => {
      const s = await c.query('SELECT 1 FROM floor.agent_sessions WHERE id = $1 AND agent_id = $2', [body.session_id, agent]);
      if (!s.rowCount) throw new HttpError(404, 'NOT_FOUND');
      const o = await c.query('SELECT merchant_id FROM floor.offers WHERE id = $1', [body.offer_id]);
      if (!o.rowCount) throw new HttpError(404, 'NOT_FOUND');
      await c.query('INSERT INTO floor.recommendations (id, session_id, offer_id) VALUES ($1, $2, $3)', [id, body.session_id, body.offer_id]);
      await outbox(c, 'recommendation.created', { id, sessionId: body.session_id, offerId: body.offer_id });
    });
    return { id };
  };

  const checkout = async (agent: string, body: { session_id?: string; recommendation_id?: string; idempotency_key?: string }) => {
    if (!body.session_id || !body.recommendation_id || !body.idempotency_key) throw new HttpError(400, 'BAD_USER_INPUT');
    return tx(async (c) => {
      const claimed = await c.query('INSERT INTO floor.idempotency_keys (agent_id, key) VALUES ($1, $2) ON CONFLICT DO NOTHING', [agent, body.idempotency_key]);
      if (!claimed.rowCount) {
        const prior = await c.query<{ response: unknown }>('SELECT response FROM floor.idempotency_keys WHERE agent_id = $1 AND key = $2', [agent, body.idempotency_key]);
        return prior.rows[0]!.response;
      }
      const r = await c.query<{ merchant_id: string; amount_minor: number; currency: string; offer_id: string }>(
        `SELECT o.merchant_id, o.amount_minor, o.currency, o.id AS offer_id FROM floor.recommendations r
           JOIN floor.agent_sessions s ON s.id = r.session_id JOIN floor.offers o ON o.id = r.offer_id
          WHERE r.id = $1 AND r.session_id = $2 AND s.agent_id = $3`,
        [body.recommendation_id, body.session_id, agent],
      );
      const rec = r.rows[0];
      if (!rec) throw new HttpError(404, 'NOT_FOUND');
      const checkoutId = randomUUID();
      const intentId = randomUUID();
      const providerPaymentId = `pi_floor_${intentId.replaceAll('-', '')}`;
      const claims = { sid: body.session_id, rid: body.recommendation_id, aid: agent, mid: rec.merchant_id, oid: rec.offer_id, cs: checkoutId, iat: Math.floor(Date.now() / 1000) };
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
      const metadata = { aap: payload, aap_sig: sign(null, Buffer.from(payload), aapKey).toString('base64url'), aap_kid: 'k1' };
      await c.query('INSERT INTO floor.checkout_sessions (id, recommendation_id, merchant_id, amount_minor, currency, status) VALUES ($1, $2, $3, $4, $5, $6)', [
        checkoutId, body.recommendation_id, rec.merchant_id, rec.amount_minor, rec.currency, 'OPEN',
      ]);
      await c.query('INSERT INTO floor.payment_intents (id, checkout_session_id, provider_payment_id, amount_minor, currency, metadata, status) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        intentId, checkoutId, providerPaymentId, rec.amount_minor, rec.currency, JSON.stringify(metadata), 'REQUIRES_PAYMENT_METHOD',
      ]);
      await outbox(c, 'checkout_session.created', { id: checkoutId, merchantId: rec.merchant_id });
      await outbox(c, 'payment_intent.created', { id: intentId, checkoutSessionId: checkoutId, providerPaymentId });
      const response = { checkout_session: { id: checkoutId, payment_intent: { id: intentId, provider_payment_id: providerPaymentId, metadata, amount: { amount_minor: rec.amount_minor, currency: rec.currency } } } };
      await c.query('UPDATE floor.idempotency_keys SET response = $3 WHERE agent_id = $1 AND key = $2', [agent, body.idempotency_key, JSON.stringify(response)]);
      return response;
    });
  };

  const webhook = async (merchantId: string, raw: Buffer, header: string | undefined) => {
    let secret = secrets.get(merchantId);
    if (!secret) {
      secret = (await pool.query<{ webhook_secret: string }>('SELECT webhook_secret FROM floor.merchants WHERE id = $1', [merchantId])).rows[0]?.webhook_secret;
      if (!secret) throw new HttpError(404, 'NOT_FOUND');
      secrets.set(merchantId, secret);
    }
    if (!verifySignature({ payload: raw, header, secret }).ok) throw new HttpError(400, 'INVALID_SIGNATURE');
    const event = JSON.parse(raw.toString('utf8')) as { id?: string; type?: string };
    if (!event.id || !event.type) throw new HttpError(400, 'BAD_USER_INPUT');
    // One statement, autocommit: the inbox row is the acknowledgement's only durable write.
    await pool.query('INSERT INTO floor.webhook_inbox (merchant_id, event_id, type, payload) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [merchantId, event.id, event.type, raw.toString('utf8')]);
    return { received: true };
  };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        try {
          const raw = Buffer.concat(chunks);
          const url = req.url ?? '';
          if (req.method !== 'POST') throw new HttpError(405, 'METHOD_NOT_ALLOWED');
          const hook = /^\/floor\/webhooks\/([0-9a-f-]{36})$/.exec(url);
          if (hook) return send(res, 200, await webhook(hook[1]!, raw, req.headers['handoff-signature'] as string | undefined));
          const agent = await agentOf(req);
          const body = JSON.parse(raw.toString('utf8') || '{}') as Record<string, string>;
          if (url === '/floor/sessions') return send(res, 201, await startSession(agent, body));
          if (url === '/floor/recommendations') return send(res, 201, await recommend(agent, body));
          if (url === '/floor/checkouts') return send(res, 201, await checkout(agent, body));
          throw new HttpError(404, 'NOT_FOUND');
        } catch (err) {
          if (err instanceof HttpError) return send(res, err.status, { code: err.code });
          if (err instanceof SyntaxError) return send(res, 400, { code: 'BAD_USER_INPUT' });
          process.stderr.write(`floor: ${(err as Error).stack}\n`);
          send(res, 500, { code: 'INTERNAL' });
        }
      })();
    });
  });
  // The database server is shared (CI beside): "too many clients" at start is tried again.
  const schema = async (): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await pool.query(FLOOR_SCHEMA_SQL);
        return;
      } catch (err) {
        if (attempt >= 20 || !/too many clients/.test(String(err))) throw err;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };
  void schema().then(() =>
    server.listen(Number(process.env.FLOOR_PORT ?? 0), '127.0.0.1', () => {
      const addr = server.address();
      process.stdout.write(`floor listening on ${typeof addr === 'object' && addr ? addr.port : '?'}\n`);
    }),
  );
}

if (process.env.FLOOR_DATABASE_URL) main();
