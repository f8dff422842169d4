import { afterAll, beforeAll, it } from 'vitest';
import { startFaultHandoff, type FaultHandoff } from './harness.js';
import { setUpStormWorld } from './storm-world.js';
import { GqlClient } from '../support/client.js';
let h: FaultHandoff;
beforeAll(async () => { h = await startFaultHandoff(); }, 180_000);
afterAll(async () => h?.stop());
it('dbg', async () => {
  let t = Date.now();
  const w = await setUpStormWorld(h.graphqlUrl, h.adminKey, 8);
  console.log('8 intents', Date.now() - t);
  const agent = new GqlClient(h.graphqlUrl, w.agent.key);
  for (let i = 0; i < 5; i++) {
    t = Date.now(); const s = (await agent.ok(`mutation { startAgentSession(input: { query: "x" }) { id } }`)).startAgentSession.id; const a = Date.now() - t;
    t = Date.now(); const r = (await agent.ok(`mutation($s: ID!, $o: ID!) { recommend(input: { sessionId: $s, offerId: $o }) { id } }`, { s, o: w.offerId })).recommend.id; const b = Date.now() - t;
    t = Date.now(); await agent.ok(`mutation($s: ID!, $r: ID!) { checkout(input: { sessionId: $s, recommendationId: $r }) { transactionId } }`, { s, r }); const c = Date.now() - t;
    console.log('session', a, 'recommend', b, 'checkout', c);
  }
  t = Date.now();
  await setUpStormWorld(h.graphqlUrl, h.adminKey, 100);
  console.log('100 intents', Date.now() - t);
}, 120_000);
