// The merchant package's background work: committed outbox rows reach Redis pub/sub.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testEnv } from '../../../test/support/env.js';
import { admin, gbpCpaMerchant, startTestApp, subgraphClient, type TestApp } from './support.js';
import type { RunningServer } from '@handoff/shared';

let t: TestApp;
let server: RunningServer;
let workers: { close(): Promise<void> };
let subscriber: Redis;

beforeAll(async () => {
  t = await startTestApp();
  server = await t.app.listen(0);
  workers = await t.app.startWorkers();
  subscriber = new Redis(testEnv().redisUrl);
});

afterAll(async () => {
  subscriber?.disconnect();
  await workers?.close();
  await server?.close();
  await t?.close();
});

it('publishes merchant.created after the commit', async () => {
  const channel = `${testEnv().queuePrefix}:events:merchant.created`;
  const messages: Array<{ topic: string; aggregateId: string; payload: Record<string, unknown> }> = [];
  subscriber.on('message', (_channel: string, message: string) => messages.push(JSON.parse(message)));
  await subscriber.subscribe(channel);

  const gql = subgraphClient(server, t.secret);
  const input = gbpCpaMerchant();
  const r = await gql(
    admin,
    `mutation ($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`,
    { input },
  );
  const id = r.body.data.createMerchant.id as string;
  await expect.poll(() => messages.find((m) => m.aggregateId === id), { timeout: 10_000 }).toBeTruthy();
  const event = messages.find((m) => m.aggregateId === id)!;
  expect(event.topic).toBe('merchant.created');
  expect(event.payload).toMatchObject({
    merchantId: id,
    name: input.name,
    commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' }, percentageBps: null },
    validationPeriodDays: 30,
  });
});
