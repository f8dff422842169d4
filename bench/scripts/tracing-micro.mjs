// The gateway's own tracing work per request, in a hot loop (issue 24 item 1): the request listener's
// wrapper (server span decision, map entry, close), 3 subgraph calls' trace headers, the close; CPU µs
// per request, median of 10 rounds of 20,000. Tracing on with parentbased_traceidratio at RATIO (0:
// every request unsampled; 1: every request sampled), exporting to a port nobody listens on.
//   node bench/scripts/tracing-micro.mjs RATIO [path/to/a/gateway/dist]   (after npm run build)
import { EventEmitter } from 'node:events';
process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:9';
process.env.OTEL_TRACES_SAMPLER = 'parentbased_traceidratio';
process.env.OTEL_TRACES_SAMPLER_ARG = process.argv[2] ?? '0';
const dir = process.argv[3] ?? new URL('../../gateway/dist', import.meta.url).pathname;
const { startTracing } = await import('@handoff/shared/tracing/tracing');
await startTracing(process.env, { asyncContext: false });
const { traceGatewayRequests, traceSubgraphCall } = await import(`${dir}/tracing/request-spans.js`);
let calls = 0;
const inner = (req, res) => {
  const id = req.headers['x-request-id'];
  for (const u of ['http://127.0.0.1:4001/graphql', 'http://127.0.0.1:4002/graphql', 'http://127.0.0.1:4003/graphql']) {
    const t = traceSubgraphCall(id, u); if (t) { calls += Object.keys(t.headers).length; t.end('ok'); }
  }
};
const listener = traceGatewayRequests(inner);
const one = () => { const res = new EventEmitter(); listener({ url: '/graphql', method: 'POST', headers: { 'content-type': 'application/json' } }, res); res.emit('finish'); res.emit('close'); };
const n = 20000; const out = [];
for (let r = 0; r < 12; r++) { const s = process.cpuUsage(); for (let i = 0; i < n; i++) one(); const d = process.cpuUsage(s); if (r > 1) out.push((d.user + d.system) / n); }
out.sort((a, b) => a - b);
console.log(`${dir} ratio ${process.argv[2]}: median ${out[out.length >> 1].toFixed(2)} µs/request (min ${out[0].toFixed(2)}), headers ${calls}`);
process.exit(0);
