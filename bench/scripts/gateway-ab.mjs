// Same-run A/B of Handoff gateway builds on this busy 2-core machine (issue 24 items 1 and 6):
// the fixture subgraphs of bench:gateway, then one gateway per `--gateways` entry, all pinned to
// CPU 0 (fixtures and load on CPU 1), measured side by side so that other load hits them alike.
// Run `npx tsc -p bench/tsconfig.json` first (it imports bench/dist).
//
//   --gateways name[:ratio[:path/to/main.js]],...   ratio: tracing on, parentbased_traceidratio
//       (OTLP to a sink here that discards); path: another build (e.g. a copy of gateway/dist of
//       an older commit, placed at the same depth so its imports resolve)
//   --mode probe  (default) the plan-miss probe: Q1 sequentially, the same text vs a new document
//       (a uniquely named fragment), interleaved request by request across gateways for the p50s
//       (--rounds, --per), then blocks of --block requests per gateway and kind for the gateway's
//       CPU per request (/proc).
//   --mode load   Q1 with autocannon, --amount requests per gateway per round at --conns; with
//       --concurrent all gateways are loaded at the same time (the same machine conditions for
//       each; CPU µs per request from /proc), else one after the other.
//   --prof DIR --interval US   CPU profiles; --node-args "FLAGS" for every gateway.
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
import { randomBytes, createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync, readFileSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const { composeSupergraph } = await import(`${root}/launcher/dist/composition.js`);
const { BENCH_API_KEY, FIXTURE_SDL, FIXTURE_SUBGRAPHS } = await import(`${root}/bench/dist/gateway/fixtures.js`);
const { QUERIES } = await import(`${root}/bench/dist/gateway/queries.js`);
const argv = process.argv.slice(2);
const val = (n, d) => (argv.includes(`--${n}`) ? argv[argv.indexOf(`--${n}`) + 1] : d);
const prof = val('prof');
const interval = val('interval', '200');
const nodeArgs = val('node-args', '').split(/\s+/).filter(Boolean);
const work = mkdtempSync(join(tmpdir(), 'gateway-ab-'));
console.log(`logs in ${work}`);
const secret = randomBytes(32).toString('base64url');
const children = [];
process.on('exit', () => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));
const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
const start = (name, file, env, cpu, ready, args = []) => {
  const child = spawn('taskset', ['-c', cpu, process.execPath, ...args, file], { env: { ...process.env, ...env } });
  children.push(child);
  const log = createWriteStream(join(work, `${name}.log`));
  child.stderr.pipe(log);
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (c) => { log.write(c); buf += c; const m = ready.exec(buf); if (m) resolve({ child, line: m[1] }); });
    child.once('exit', (code) => reject(new Error(`${name} exited ${code}, ${work}`)));
  });
};
execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
const fixtures = await start('fixtures', `${root}/bench/dist/gateway/fixture-server.js`, { HANDOFF_INTERNAL_SECRET: secret }, '1', /READY (.*)/);
const ports = JSON.parse(fixtures.line);
const url = (n, k) => `http://127.0.0.1:${ports[n][k]}/graphql`;
const { supergraphSdl } = composeSupergraph(FIXTURE_SUBGRAPHS.map((name) => ({ name, url: url(name, 'open'), sdl: FIXTURE_SDL[name] })));
writeFileSync(join(work, 'supergraph.graphql'), supergraphSdl);
const sha = (t) => createHash('sha256').update(t).digest('hex');
writeFileSync(join(work, 'td.json'), JSON.stringify(Object.fromEntries(Object.values(QUERIES).map((q) => [sha(q.query), q.query]))));
const startGateway = async (name, ratio, file) => {
const port = await freePort();
const env = {
  NODE_ENV: 'production', SUPERGRAPH_PATH: join(work, 'supergraph.graphql'), PORT: String(port),
  MERCHANT_URL: url('merchant', 'signed'), CHECKOUT_SESSION_URL: url('checkout-session', 'signed'), PAYMENT_INTENT_URL: url('payment-intent', 'signed'), CONVERSION_LEDGER_URL: url('conversion-ledger', 'signed'),
  HANDOFF_INTERNAL_SECRET: secret, HANDOFF_ADMIN_KEY: randomBytes(24).toString('base64url'), METRICS_PORT: String(await freePort()),
  TRUSTED_DOCUMENTS_PATH: join(work, 'td.json'), TRUSTED_DOCUMENTS: 'allow', OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '',
};
if (ratio !== undefined) {
  const sink = createHttpServer((req, res) => { req.resume(); req.on('end', () => { sinkCount++; res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(); }); });
  await new Promise((r) => sink.listen(0, '127.0.0.1', r));
  const su = `http://127.0.0.1:${sink.address().port}`;
  Object.assign(env, { OTEL_EXPORTER_OTLP_ENDPOINT: su, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${su}/v1/traces`, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: ratio });
}
const profArgs = prof ? ['--cpu-prof', '--cpu-prof-dir', prof, '--cpu-prof-name', `${name}.cpuprofile`, '--cpu-prof-interval', interval] : [];
const gw = await start(name, file ?? `${root}/gateway/dist/main.js`, env, '0', /"msg":"gateway listening"()/, [...nodeArgs, ...profArgs]);
return { name, child: gw.child, pid: gw.child.pid, url: `http://127.0.0.1:${port}/graphql` };
};
let sinkCount = 0;
const gws = [];
for (const spec of val('gateways', 'off,traced:0.01').split(',')) {
  const [name, ratio, file] = spec.split(':');
  gws.push(await startGateway(name, ratio || undefined, file));
}
const cpuOf = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8'); const x = f.slice(f.lastIndexOf(')') + 2).split(' '); return (Number(x[11]) + Number(x[12])) * 10; };
const headers = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_API_KEY}` };
if (val('mode', 'probe') === 'probe') {
const base = QUERIES.Q1.query; const open = base.indexOf('{'); let n = 0;
const kinds = {
  cached: () => base,
  fragment: () => { const name = `F${process.pid}_${n++}`; return `${base.slice(0, open + 1)} ...${name} ${base.slice(open + 1)}\nfragment ${name} on Query { __typename }`; },
};
const time = async (g, query) => {
  const t0 = performance.now();
  const res = await fetch(g.url, { method: 'POST', headers, body: JSON.stringify({ query, variables: QUERIES.Q1.variables }) });
  const j = await res.json();
  if (res.status !== 200 || j.errors) throw new Error(JSON.stringify(j));
  return performance.now() - t0;
};
for (const g of gws) for (let i = 0; i < 300; i++) await time(g, base);
const rounds = Number(val('rounds', '6')); const per = Number(val('per', '100')); const block = Number(val('block', '300'));
const stats = Object.fromEntries(gws.map((g) => [g.name, { cached: [], fragment: [], cpu: { cached: [], fragment: [] } }]));
for (let r = 0; r < rounds; r++) {
  // p50s: interleaved request by request, every gateway and kind
  for (let i = 0; i < per; i++) for (const g of gws) for (const k of ['cached', 'fragment']) stats[g.name][k].push(await time(g, kinds[k]()));
  // CPU per request: blocks
  for (const g of r % 2 ? [...gws].reverse() : gws) for (const k of ['cached', 'fragment']) {
    const c0 = cpuOf(g.pid); for (let i = 0; i < block; i++) await time(g, kinds[k]()); stats[g.name].cpu[k].push(((cpuOf(g.pid) - c0) * 1000) / block);
  }
  console.log(`round ${r}: ` + gws.map((g) => `${g.name} cpu cached ${stats[g.name].cpu.cached.at(-1).toFixed(0)} fragment ${stats[g.name].cpu.fragment.at(-1).toFixed(0)}`).join('; '));
}
const p50 = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const mean = (a) => a.reduce((s, x) => s + x, 0) / a.length;
for (const g of gws) {
  const s = stats[g.name];
  console.log(`${g.name}: p50 cached ${p50(s.cached).toFixed(2)} ms, new fragment ${p50(s.fragment).toFixed(2)} ms: +${(p50(s.fragment) - p50(s.cached)).toFixed(2)} ms (n ${s.cached.length}); gateway CPU µs/req mean over rounds: cached ${mean(s.cpu.cached).toFixed(0)}, fragment ${mean(s.cpu.fragment).toFixed(0)}: +${(mean(s.cpu.fragment) - mean(s.cpu.cached)).toFixed(0)}`);
}
} else {
const { default: autocannon } = await import(`${root}/node_modules/autocannon/autocannon.js`);
const body = JSON.stringify({ query: QUERIES.Q1.query, variables: QUERIES.Q1.variables });
const amount = Number(val('amount', '6000')); const conns = Number(val('conns', '32')); let rounds = Number(val('rounds', '4'));
for (const g of gws) for (let i = 0; i < 50; i++) { const r = await fetch(g.url, { method: 'POST', headers, body }); const j = await r.json(); if (j.errors) throw new Error(JSON.stringify(j)); }
const results = Object.fromEntries(gws.map((g) => [g.name, []]));
if (argv.includes('--concurrent')) {
  for (let r = 0; r < rounds; r++) {
    const c0 = gws.map((g) => cpuOf(g.pid));
    const rs = await Promise.all(gws.map((g) => autocannon({ url: g.url, method: 'POST', headers, body, connections: conns, amount })));
    gws.forEach((g, i) => { const cpu = ((cpuOf(g.pid) - c0[i]) * 1000) / rs[i].requests.total; results[g.name].push({ rps: rs[i].requests.average, cpu }); });
    console.log(`round ${r} ` + gws.map((g, i) => `${g.name} ${results[g.name][r].cpu.toFixed(0)} µs/req (${rs[i].requests.average.toFixed(0)} req/s)`).join(', '));
  }
  rounds = 0;
}
for (let r = 0; r < rounds; r++) {
  for (const g of r % 2 ? [...gws].reverse() : gws) {
    const c0 = cpuOf(g.pid);
    const res = await autocannon({ url: g.url, method: 'POST', headers, body, connections: conns, amount });
    const cpu = ((cpuOf(g.pid) - c0) * 1000) / res.requests.total;
    results[g.name].push({ rps: res.requests.average, cpu });
    console.log(`round ${r} ${g.name.padEnd(8)} ${res.requests.average.toFixed(0)} req/s cpu ${cpu.toFixed(0)} µs/req non2xx ${res.non2xx} errors ${res.errors}`);
  }
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
for (const g of gws) console.log(`${g.name}: mean cpu ${(results[g.name].reduce((s, x) => s + x.cpu, 0) / results[g.name].length).toFixed(0)}, median cpu ${med(results[g.name].map((x) => x.cpu)).toFixed(0)} µs/req, median ${med(results[g.name].map((x) => x.rps)).toFixed(0)} req/s`);
console.log(`sink exports ${sinkCount}`);
if (prof) for (const g of gws) { g.child.kill('SIGTERM'); await new Promise((r) => g.child.once('exit', r)); }
}
process.exit(0);
