// The ledger's internal question before a merchant's report: does this agent session hold a
// recommendation of one of this merchant's offers? (`agentSessionRecommending`, SERVICE only,
// @inaccessible.) Over HTTP against real PostgreSQL, the other subgraphs stood in for.
import { randomBytes } from 'node:crypto';
import type { Principal, RunningServer, SubgraphApp } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/support/env.js';
import { signedCaller } from '../../../test/support/signed-call.js';
import { createApp, loadConfig } from '../src/index.js';
import { FakeMerchants, FakePayments } from './fakes.js';

const env = testEnv();
const secret = randomBytes(32).toString('hex');
const suffix = randomBytes(4).toString('hex');
const agent: Principal = { kind: 'AGENT', keyId: 'ka', agentId: `agt_${suffix}` };
const merchantA = `mer_a_${suffix}`;
const merchantB = `mer_b_${suffix}`;
const service: Principal = { kind: 'SERVICE', service: 'conversion-ledger' };

const merchants = new FakeMerchants();
merchants.addMerchant(merchantA);
merchants.addMerchant(merchantB);
merchants.addOffer(`off_a_${suffix}`, merchantA, 1000, 'GBP');

const ASK = `query($id: ID!, $merchantId: ID!) { agentSessionRecommending(id: $id, merchantId: $merchantId) { id agent { id } } }`;

let app: SubgraphApp;
let server: RunningServer;
let call: ReturnType<typeof signedCaller>;

beforeAll(async () => {
  const config = loadConfig({
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redisUrl,
    QUEUE_PREFIX: `${env.queuePrefix}-co-rec`,
    NODE_ENV: 'test',
    HANDOFF_INTERNAL_SECRET: secret,
    LOG_LEVEL: 'silent',
  });
  app = await createApp(config, { merchants, payments: new FakePayments() });
  await app.migrate();
  server = await app.listen(0);
  call = signedCaller(server.url, secret);
});

afterAll(async () => {
  await server?.close();
  await app?.close();
});

describe('agentSessionRecommending (internal)', () => {
  it("answers the session only for a merchant whose offer it recommended; null otherwise, as for an unknown id", async () => {
    const started = await call(agent, `mutation { startAgentSession { id } }`);
    const sessionId = started.data!.startAgentSession.id as string;
    const empty = await call(service, ASK, { id: sessionId, merchantId: merchantA });
    expect(empty.errors).toBeUndefined();
    expect(empty.data!.agentSessionRecommending).toBeNull(); // nothing recommended yet

    const rec = await call(agent, `mutation($s: ID!, $o: ID!) { recommend(input: { sessionId: $s, offerId: $o }) { id } }`, { s: sessionId, o: `off_a_${suffix}` });
    expect(rec.errors).toBeUndefined();
    expect((await call(service, ASK, { id: sessionId, merchantId: merchantA })).data!.agentSessionRecommending).toEqual({
      id: sessionId,
      agent: { id: agent.kind === 'AGENT' ? agent.agentId : '' },
    });
    expect((await call(service, ASK, { id: sessionId, merchantId: merchantB })).data!.agentSessionRecommending).toBeNull();
    expect((await call(service, ASK, { id: 'ags_nope', merchantId: merchantA })).data!.agentSessionRecommending).toBeNull();
  });

  it('is for services only', async () => {
    const asMerchant: Principal = { kind: 'MERCHANT', keyId: 'km', merchantId: merchantA };
    for (const p of [asMerchant, agent, { kind: 'ADMIN', keyId: 'kad' } as Principal]) {
      const res = await call(p, ASK, { id: 'ags_any', merchantId: merchantA });
      expect(res.errors?.[0]?.extensions?.code, p.kind).toBe('FORBIDDEN');
    }
  });

  it('is absent from the public API schema (@inaccessible)', () => {
    expect(app.sdl).toMatch(/agentSessionRecommending\([^)]*\): AgentSession @inaccessible/);
  });
});
