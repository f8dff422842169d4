import { it } from 'vitest';
import { request, Agent } from 'node:http';
import { createGateway, loadGatewayConfig } from '../src/index.js';
import { startFixtureSubgraphs } from './support/fixture-subgraphs.js';
import { encodePrincipal, signRequest } from '@handoff/shared';

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
function post(url: string, body: string, headers: Record<string, string> = {}) {
  const u = new URL(url);
  return new Promise<void>((resolve, reject) => {
    const req = request({ hostname: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => { res.resume(); res.on('end', () => resolve()); });
    req.on('error', reject);
    req.end(body);
  });
}
it('perf', async () => {
  const config = loadGatewayConfig({ NODE_ENV: 'production', HANDOFF_ADMIN_KEY: 'hk_adm_perf_bootstrap_0000000', HANDOFF_INTERNAL_SECRET: 's'.repeat(40), LOG_LEVEL: 'silent' });
  const fx = await startFixtureSubgraphs(config.internalSecret);
  const gw = await createGateway({ config, supergraphSdl: fx.supergraphSdl, subgraphUrls: fx.urls });
  const s = await gw.listen(0);
  const body = JSON.stringify({ query: '{ whoami node(id: "1") { id name child { id name } } }' });
  const auth = { authorization: 'Bearer hk_adm_perf_bootstrap_0000000' };
  const direct = JSON.stringify({ query: '{ whoami node(id: "1") { id name child { id name } } }' });
  const p = encodePrincipal({ kind: 'ADMIN', keyId: 'x' });
  const time = async (n: number, fn: () => Promise<void>) => { const ts: number[] = []; for (let i = 0; i < n; i++) { const t = performance.now(); await fn(); ts.push(performance.now() - t); } ts.sort((a, b) => a - b); return ts[Math.floor(n / 2)]!; };
  for (let round = 0; round < 2; round++) {
    const g = await time(3000, () => post(`${s.url}/graphql`, body, auth));
    const d = await time(3000, () => post(fx.urls.merchant!, direct, { 'x-handoff-principal': p, 'x-request-id': 'perf-req-0001', 'x-handoff-signature': signRequest({ secret: config.internalSecret, principalB64: p, requestId: 'perf-req-0001', body: direct }) }));
    const t0 = performance.now(); await Promise.all(Array.from({ length: 32 }, async () => { for (let i = 0; i < 150; i++) await post(`${s.url}/graphql`, body, auth); })); const rps = 4800 / ((performance.now() - t0) / 1000);
    console.log(`gateway p50 ${g.toFixed(3)} ms, direct subgraph p50 ${d.toFixed(3)} ms, added ${(g - d).toFixed(3)} ms; 32-conn ${rps.toFixed(0)} req/s; rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
  }
  await s.close(); await gw.close(); await fx.stop();
}, 120_000);
