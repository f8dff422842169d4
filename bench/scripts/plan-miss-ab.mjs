// A plan-cache miss (Q1 + a uniquely named fragment, as plan-miss-micro) in two gateway builds in one
// process, alternating blocks of 250 new documents: CPU µs per new document, median and min over the
// rounds after 4 of warm-up (issue 24 item 6). OLD: another build's gateway/dist (a copy, e.g. of an
// earlier commit's, at the same depth so its imports resolve).
//   NODE_ENV=production node bench/scripts/plan-miss-ab.mjs OLD_DIST [ROUNDS]   (after npx tsc -p bench/tsconfig.json)
import { readFileSync } from 'node:fs';
import { buildSchema } from 'graphql';
import { queryProtection } from '@handoff/gateway/graphql/limits';
const { QUERIES } = await import(new URL('../dist/gateway/queries.js', import.meta.url).href);
const OLD = await import(`${process.argv[2]}/execution/handoff-executor.js`);
const NEW = await import('@handoff/gateway/execution/handoff-executor');
const gatewayDir = new URL('../../gateway/', import.meta.url).pathname;
const supergraphSdl = readFileSync(`${gatewayDir}supergraph.graphql`, 'utf8');
const api = buildSchema(readFileSync(`${gatewayDir}api-schema.graphql`, 'utf8'));
const protection = queryProtection({ maxDepth: 12, maxAliases: 15, maxTokens: 2000, maxDirectives: 10, maxCost: 50_000 }, { hideSuggestions: true });
const mk = (M) => { const e = new M.HandoffExecutor({ dataSources: new Map(), validation: { parseOptions: protection.parseOptions, validationRules: protection.validationRules }, onPrepareError: (x) => { throw x; } }); e.useSupergraph(api, supergraphSdl); return e; };
const ex = { old: mk(OLD), new: mk(NEW) };
const base = QUERIES.Q1.query; const open = base.indexOf('{'); let serial = 0;
const doc = () => { const name = `Micro_${serial++}`; return `${base.slice(0, open + 1)} ...${name} ${base.slice(open + 1)}\nfragment ${name} on Query { __typename }`; };
const res = { old: [], new: [] }; const block = 250; const rounds = Number(process.argv[3] ?? 24);
for (let r = 0; r < rounds; r++) for (const k of r % 2 ? ['old', 'new'] : ['new', 'old']) {
  const e = ex[k]; const s = process.cpuUsage();
  for (let i = 0; i < block; i++) if (!e.lookupOrPlan(doc(), undefined)) throw new Error('x');
  const x = process.cpuUsage(s); if (r >= 4) res[k].push((x.user + x.system) / block);
}
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
console.log(Object.entries(res).map(([k, v]) => `${k} median ${med(v).toFixed(0)} µs (min ${Math.min(...v).toFixed(0)})`).join(', '));
