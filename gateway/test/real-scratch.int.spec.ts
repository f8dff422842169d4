import { it } from 'vitest';
import { startTestHandoff } from '../../test/support/handoff.js';
it('starts', async () => {
  const t = Date.now();
  const h = await startTestHandoff({ workers: false });
  console.log('started in', Date.now() - t, h.graphqlUrl, h.subgraphs.map((s) => s.url));
  const r = await fetch(h.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.adminKey}` }, body: JSON.stringify({ query: '{ viewer { role } }' }) });
  console.log(r.status, await r.text());
  await h.stop();
});
