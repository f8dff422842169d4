// Runs the four fixture subgraphs in one process (pinned beside the load generator). Each
// subgraph listens twice: a signed port that refuses any call without a valid gateway signature
// (HMAC over principal, request id and body, exactly as Handoff's subgraphs check it) and an
// open port for the gateways that do not sign (stock @apollo/gateway, Hive Gateway, direct calls).
//
// Cheap on purpose: a document is parsed and validated once, and an answer is remembered by its
// exact request body (the data never changes), so a repeated subgraph call costs an HMAC check,
// a Map lookup and a write. Every gateway meets the same fixtures.
// Prints `READY {"merchant":{"signed":port,"open":port},…}` when listening.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execute, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { hashApiKey } from '@handoff/shared/identity/api-key';
import { PRINCIPAL_HEADER, SIGNATURE_HEADER, verifyRequest } from '@handoff/shared/identity/signing';
import { BENCH_API_KEY, FIXTURE_SUBGRAPHS, fixtureSchema, type FixtureSubgraph } from './fixtures.js';

const secret = process.env.HANDOFF_INTERNAL_SECRET ?? '';
if (!secret) throw new Error('fixture-server: HANDOFF_INTERNAL_SECRET is required');

const MAX_MEMO = 2000;
let rejected = 0;

function subgraphHandler(name: FixtureSubgraph, schema: GraphQLSchema, signed: boolean) {
  const documents = new Map<string, DocumentNode | readonly Error[]>();
  const memo = new Map<string, Buffer>();
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') {
      res.writeHead(req.url?.startsWith('/health') ? 200 : 405).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      if (signed) {
        const verified = verifyRequest({
          secret,
          principalHeader: req.headers[PRINCIPAL_HEADER] as string | undefined,
          signatureHeader: req.headers[SIGNATURE_HEADER] as string | undefined,
          requestId: (req.headers['x-request-id'] as string | undefined) ?? '',
          body,
        });
        if (!verified.ok) {
          rejected++;
          if (rejected <= 5) console.error(`fixture ${name}: refused a call (${verified.reason})`);
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"errors":[{"message":"Unauthorized.","extensions":{"code":"UNAUTHENTICATED"}}]}');
          return;
        }
      }
      const key = body.toString('utf8');
      const remembered = memo.get(key);
      if (remembered) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': remembered.length }).end(remembered);
        return;
      }
      void answer(schema, documents, key).then(({ out, cacheable }) => {
        if (cacheable && memo.size < MAX_MEMO) memo.set(key, out);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': out.length }).end(out);
      });
    });
  };
}

async function answer(schema: GraphQLSchema, documents: Map<string, DocumentNode | readonly Error[]>, text: string) {
  let request: { query?: string; variables?: Record<string, unknown>; operationName?: string };
  try {
    request = JSON.parse(text);
  } catch {
    return { out: Buffer.from('{"errors":[{"message":"Body is not valid JSON."}]}'), cacheable: false };
  }
  const query = request.query ?? '';
  let doc = documents.get(query);
  if (!doc) {
    try {
      const parsed = parse(query);
      const errors = validate(schema, parsed);
      doc = errors.length ? errors : parsed;
    } catch (err) {
      doc = [err as Error];
    }
    documents.set(query, doc);
  }
  if (Array.isArray(doc)) return { out: Buffer.from(JSON.stringify({ errors: doc.map((e) => ({ message: e.message })) })), cacheable: false };
  const result = await execute({ schema, document: doc as DocumentNode, variableValues: request.variables, operationName: request.operationName });
  return { out: Buffer.from(JSON.stringify(result)), cacheable: !result.errors };
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
  const server = createServer({ keepAliveTimeout: 65_000 }, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const ports: Record<string, { signed: number; open: number }> = {};
const keyHash = hashApiKey(BENCH_API_KEY);
for (const name of FIXTURE_SUBGRAPHS) {
  const schema = fixtureSchema(name, keyHash);
  ports[name] = { signed: await listen(subgraphHandler(name, schema, true)), open: await listen(subgraphHandler(name, schema, false)) };
}
console.log(`READY ${JSON.stringify(ports)}`);
process.on('SIGTERM', () => process.exit(0));
