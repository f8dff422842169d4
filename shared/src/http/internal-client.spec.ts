// The service-to-service client against a real local HTTP server answering canned GraphQL.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, HandoffError } from '../errors/codes.js';
import { PRINCIPAL_HEADER, SIGNATURE_HEADER, verifyRequest } from '../identity/signing.js';
import { REQUEST_ID_HEADER } from '../logging/logger.js';
import { InternalCallError, InternalClient } from './internal-client.js';

const secret = 's'.repeat(40);
let server: Server;
let url: string;
let answer: { status: number; body: unknown } = { status: 200, body: {} };
const seen: Array<{ verified: boolean; body: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const v = verifyRequest({
        secret,
        principalHeader: req.headers[PRINCIPAL_HEADER] as string,
        signatureHeader: req.headers[SIGNATURE_HEADER] as string,
        requestId: req.headers[REQUEST_ID_HEADER] as string,
        body,
      });
      seen.push({ verified: v.ok, body });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const client = () => new InternalClient({ url, secret, service: 'test' });

describe('InternalClient', () => {
  it('request: signs as a SERVICE, returns data, rethrows a coded error as the same HandoffError', async () => {
    answer = { status: 200, body: { data: { a: { id: '1' } } } };
    expect(await client().request('{ a { id } }')).toEqual({ a: { id: '1' } });
    expect(seen.at(-1)).toMatchObject({ verified: true });
    answer = { status: 200, body: { data: { a: null }, errors: [{ message: 'no such a', path: ['a'], extensions: { code: 'NOT_FOUND' } }] } };
    const err = await client().request('{ a { id } }').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HandoffError);
    expect((err as HandoffError).code).toBe(ErrorCode.NOT_FOUND);
  });

  it('requestFields: each root field answered on its own, its error beside the others’ data', async () => {
    answer = {
      status: 200,
      body: {
        data: { a: { id: '1' }, b: null, c: null },
        errors: [
          { message: 'no such b', path: ['b'], extensions: { code: 'NOT_FOUND' } },
          { message: 'boom', path: ['c', 'x'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
        ],
      },
    };
    const { data, errors } = await client().requestFields<{ a: unknown; b: unknown; c: unknown }>('{ a { id } b { id } c { x } }');
    expect(data.a).toEqual({ id: '1' });
    expect(errors.a).toBeUndefined();
    expect(errors.b).toBeInstanceOf(HandoffError);
    expect((errors.b as HandoffError).code).toBe(ErrorCode.NOT_FOUND);
    expect(errors.c).toBeInstanceOf(InternalCallError);
    expect((errors.c as InternalCallError).retryable).toBe(true);
  });

  it('requestFields: an error of the whole call (no field, no data, not JSON) is thrown', async () => {
    answer = { status: 400, body: { errors: [{ message: 'Cannot query field', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] } };
    await expect(client().requestFields('{ nope }')).rejects.toThrow(/Cannot query field/);
    answer = { status: 503, body: 'not json' };
    server.removeAllListeners('request');
    server.on('request', (_req, res) => res.writeHead(503).end('down'));
    const err = await client().requestFields('{ a }').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalCallError);
    expect((err as InternalCallError).retryable).toBe(true);
  });
});
