// Target (d), the floor: a hand-written process that does only the HTTP work a gateway must do
// for Q1–Q4 (read the request, the same subgraph calls as the query plan, each signed like
// Handoff's, merge, answer) with a fixed plan per query and no GraphQL engine. No auth, no
// limits, no metrics. Subgraph URLs come from *_URL (the fixtures' signed ports); listens on PORT.
import { Agent, createServer, request } from 'node:http';
import { createHash, randomUUID } from 'node:crypto';
import { encodePrincipal, signRequest } from '@handoff/shared/identity/signing';
import { QUERIES } from '../queries.js';

type Json = any;
const secret = process.env.HANDOFF_INTERNAL_SECRET!;
const principalB64 = encodePrincipal({ kind: 'MERCHANT', keyId: 'key_bench', merchantId: 'mer_1' });
const agent = new Agent({ keepAlive: true, maxSockets: 128, scheduling: 'lifo' });
const urls = {
  merchant: new URL(process.env.MERCHANT_URL!),
  'checkout-session': new URL(process.env.CHECKOUT_SESSION_URL!),
  'payment-intent': new URL(process.env.PAYMENT_INTENT_URL!),
  'conversion-ledger': new URL(process.env.CONVERSION_LEDGER_URL!),
};
type Subgraph = keyof typeof urls;

function call(subgraph: Subgraph, requestId: string, payload: Json): Promise<Json> {
  const body = Buffer.from(JSON.stringify(payload));
  const u = urls[subgraph];
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          'x-handoff-principal': principalB64,
          'x-request-id': requestId,
          'x-handoff-signature': signRequest({ secret, principalB64, requestId, body }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          if (res.statusCode !== 200 || parsed.errors) reject(new Error(`${subgraph}: ${res.statusCode} ${JSON.stringify(parsed.errors)}`));
          else resolve(parsed.data);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** One `_entities` call for the distinct ids of `refs`; sets each ref's fields from its entity. */
async function resolveEntities(subgraph: Subgraph, requestId: string, typename: string, selection: string, refs: { id: string }[]) {
  const ids = [...new Set(refs.map((r) => r.id))];
  const data = await call(subgraph, requestId, {
    query: `query($representations:[_Any!]!){_entities(representations:$representations){...on ${typename}{${selection}}}}`,
    variables: { representations: ids.map((id) => ({ __typename: typename, id })) },
  });
  const byId = new Map<string, Json>(ids.map((id, i) => [id, data._entities[i]]));
  for (const ref of refs) Object.assign(ref, byId.get(ref.id));
}

const MERCHANT = 'name country defaultCurrency status';
const PAYMENT = 'status amount{amountMinor currency amount}captureMode provider createdAt';

function stripTypename(o: Json): Json {
  delete o.__typename;
  return o;
}

async function sessions(list: Json[], requestId: string) {
  const merchants = list.map((s) => stripTypename(s.merchant));
  const payments = list.map((s) => s.paymentIntent).filter(Boolean).map(stripTypename);
  await Promise.all([
    resolveEntities('merchant', requestId, 'Merchant', MERCHANT, merchants),
    resolveEntities('payment-intent', requestId, 'PaymentIntent', PAYMENT, payments),
  ]);
}

const plans = new Map<string, (variables: Json, requestId: string) => Promise<Json>>([
  [
    QUERIES.Q1.query,
    async (variables, requestId) => {
      const data = await call('checkout-session', requestId, { query: QUERIES.Q1.direct.query, variables });
      if (data.checkoutSession) await sessions([data.checkoutSession], requestId);
      return data;
    },
  ],
  [
    QUERIES.Q2.query,
    async (variables, requestId) => {
      const data = await call('checkout-session', requestId, { query: QUERIES.Q2.direct.query, variables });
      await sessions(data.checkoutSessions.edges.map((e: Json) => e.node), requestId);
      return data;
    },
  ],
  [
    QUERIES.Q3.query,
    async (variables, requestId) => {
      const data = await call('conversion-ledger', requestId, { query: QUERIES.Q3.direct.query, variables });
      const nodes: Json[] = data.conversions.edges.map((e: Json) => e.node);
      const sessionRefs = nodes.map((n) => n.checkoutSession).filter(Boolean).map(stripTypename);
      await Promise.all([
        resolveEntities('merchant', requestId, 'Merchant', 'name country status', nodes.map((n) => stripTypename(n.merchant))),
        resolveEntities('merchant', requestId, 'Agent', 'name createdAt', nodes.map((n) => n.agent).filter(Boolean).map(stripTypename)),
        resolveEntities('checkout-session', requestId, 'CheckoutSession', 'status totals{total{amountMinor currency}}paymentIntent{__typename id}', sessionRefs),
      ]);
      const payments = sessionRefs.map((s) => s.paymentIntent).filter(Boolean).map(stripTypename);
      await resolveEntities('payment-intent', requestId, 'PaymentIntent', 'status provider amount{amountMinor currency}', payments);
      return data;
    },
  ],
  [
    QUERIES.Q4.query,
    async (variables, requestId) => {
      const data = await call('checkout-session', requestId, { query: QUERIES.Q4.direct.query, variables });
      if (data.checkoutSession) await resolveEntities('merchant', requestId, 'Merchant', 'name country defaultCurrency', [stripTypename(data.checkoutSession.merchant)]);
      return data;
    },
  ],
]);
// Persisted documents (Q1P): the same plans by the sha256 of their text.
const byHash = new Map([...plans].map(([query, plan]) => [createHash('sha256').update(query).digest('hex'), plan]));

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let op: Json;
    try {
      op = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end();
      return;
    }
    const plan = op?.query === undefined ? byHash.get(op?.extensions?.persistedQuery?.sha256Hash) : plans.get(op.query);
    if (!plan) {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"errors":[{"message":"The floor knows only Q1-Q4."}]}');
      return;
    }
    plan(op.variables ?? {}, randomUUID()).then(
      (data) => {
        const out = JSON.stringify({ data });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) }).end(out);
      },
      (err: Error) => {
        res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: err.message }] }));
      },
    );
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`READY http://127.0.0.1:${process.env.PORT}/graphql`));
process.on('SIGTERM', () => process.exit(0));
