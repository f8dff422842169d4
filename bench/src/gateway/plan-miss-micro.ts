// The gateway's plan-cache miss in one process, without HTTP: what HandoffExecutor.lookupOrPlan
// does for a genuinely new document (the plan-miss probe's "new fragment" kind: Q1 with its root
// `__typename` in a uniquely named fragment), split into its steps, in CPU µs per document.
// A load-independent A/B for the miss path (the HTTP probe's p50s move by milliseconds on a busy
// machine). Steps: `parse`; `validate` (graphql-js validate, specified rules + the gateway's query
// limits, as Apollo Server runs them); `validate-once` (the same rules through
// graphql/validate-once.ts, as lookupOrPlan runs them); `plan` (planning and preparing a parsed
// document, no validation); `miss` (lookupOrPlan end to end: normalized key, parse, validate-once,
// plan, prepare, cache).
//
//   node bench/dist/gateway/plan-miss-micro.js [--n 4000] [--thrash]
//
// --thrash touches 8 MiB and allocates between documents, so caches are cold as in a server that
// serves other requests between misses. Run with NODE_ENV=production (graphql-js's instanceOf
// checks are dev-only), as the gateway runs.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, getOperationAST, parse, specifiedRules, validate } from 'graphql';
import { HandoffExecutor } from '@handoff/gateway/execution/handoff-executor';
import { queryProtection } from '@handoff/gateway/graphql/limits';
import { mergeRules, validateOnce } from '@handoff/gateway/graphql/validate-once';
import { QUERIES } from './queries.js';

const argv = process.argv.slice(2);
const n = Number(argv[argv.indexOf('--n') + 1]) > 0 && argv.includes('--n') ? Number(argv[argv.indexOf('--n') + 1]) : 4000;
const thrashing = argv.includes('--thrash');

const gatewayDir = fileURLToPath(new URL('../../../gateway/', import.meta.url));
const supergraphSdl = readFileSync(`${gatewayDir}supergraph.graphql`, 'utf8');
const api = buildSchema(readFileSync(`${gatewayDir}api-schema.graphql`, 'utf8'));
// config.ts's defaults (MAX_DEPTH 12, MAX_ALIASES 15, MAX_TOKENS 2000, MAX_DIRECTIVES 10, MAX_COST 50000), production.
const protection = queryProtection({ maxDepth: 12, maxAliases: 15, maxTokens: 2000, maxDirectives: 10, maxCost: 50_000 }, { hideSuggestions: true });
const rules = [...specifiedRules, ...protection.validationRules];
const merged = mergeRules(rules);
const executor = new HandoffExecutor({
  dataSources: new Map(),
  validation: { parseOptions: protection.parseOptions, validationRules: protection.validationRules },
  onPrepareError: (err) => {
    throw err;
  },
});
executor.useSupergraph(api, supergraphSdl);

const base = QUERIES.Q1.query;
const open = base.indexOf('{');
let serial = 0;
const newDocument = () => {
  const name = `Micro_${serial++}`;
  return `${base.slice(0, open + 1)} ...${name} ${base.slice(open + 1)}\nfragment ${name} on Query { __typename }`;
};

const junk = new Float64Array(1 << 20);
let sink = 0;
const thrash = () => {
  for (let i = 0; i < junk.length; i += 8) junk[i]! += 1;
  const garbage: object[] = [];
  for (let i = 0; i < 2000; i++) garbage.push({ i, s: `x${i}` });
  sink += garbage.length;
};

const steps: Record<string, (text: string) => void> = {
  parse: (text) => void parse(text, protection.parseOptions),
  validate: (text) => {
    if (validate(api, parse(text, protection.parseOptions), rules).length) throw new Error('invalid');
  },
  'validate-once': (text) => {
    if (validateOnce(api, parse(text, protection.parseOptions), merged).length) throw new Error('invalid');
  },
  plan: (text) => {
    const document = parse(text, protection.parseOptions);
    if (!executor.planMiss(`micro:${serial}`, api, getOperationAST(document) ?? undefined, document)) throw new Error('not planned');
  },
  miss: (text) => {
    if (!executor.lookupOrPlan(text, undefined)) throw new Error('not planned');
  },
};

const cpuUs = (fn: (text: string) => void, count: number) => {
  let thrashUs = 0;
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    if (thrashing) {
      const t = process.cpuUsage();
      thrash();
      const d = process.cpuUsage(t);
      thrashUs += d.user + d.system;
    }
    fn(newDocument());
  }
  const d = process.cpuUsage(start);
  return (d.user + d.system - thrashUs) / count;
};

console.log(`plan-cache miss, CPU µs per new document (Q1 + a new fragment), n ${n}${thrashing ? ', caches thrashed between documents' : ''}, NODE_ENV ${process.env.NODE_ENV ?? '(unset)'}`);
for (let round = 1; round <= 2; round++) {
  const row: string[] = [];
  for (const [name, fn] of Object.entries(steps)) {
    cpuUs(fn, Math.min(500, n)); // warm-up
    row.push(`${name} ${cpuUs(fn, n).toFixed(0)}`);
  }
  console.log(`round ${round}: ${row.join(', ')}`);
}
if (sink < 0) console.log(sink);
