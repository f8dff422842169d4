// The gateway must not load the persistence, queue and schema-building code of the subgraphs:
// `@handoff/shared`'s barrel pulls typeorm, type-graphql, bullmq, pg and class-validator in, which
// cost the gateway about 20 MiB of RSS and 13 MiB of heap for nothing /graphql uses. Gateway code
// imports `@handoff/shared/<area>/<file>` subpaths instead; these two checks keep it that way.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** Loaded only when needed: @apollo/gateway, its OpenTelemetry SDK and HTTP client, Apollo's protobuf. */
const DEFERRED = ['@apollo/gateway', '@apollo/query-planner', '@opentelemetry/sdk-metrics', 'make-fetch-happen', '@apollo/usage-reporting-protobuf',
  // Handoff's tracing SDK: loaded only when an OTLP endpoint is set (shared/src/tracing).
  '@opentelemetry/sdk-trace-base', '@opentelemetry/sdk-trace-node', '@opentelemetry/exporter-trace-otlp-proto', '@opentelemetry/exporter-trace-otlp-http'];
const HEAVY = ['typeorm', 'type-graphql', 'bullmq', 'pg', 'class-validator', '@apollo/subgraph', 'reflect-metadata'];
/**
 * The operator tools' queue work (BullMQ, bull-board): loaded by `import()` on an operator's first
 * queue request (gateway/src/rest/operations), never by a static import, so /graphql never pays
 * for them. Not followed by the source check; the runtime check does not import them.
 */
const OPERATOR_ONLY = ['gateway/src/rest/operations/board-app.ts', 'shared/src/queue/queue-admin.ts'];
const OPERATOR_ONLY_DIST = ['rest/operations/board-app.js'];

function filesUnder(dir: string, keep: (file: string) => boolean): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && keep(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

/** The value imports of a TypeScript file (what survives compilation: `import type` is erased); `import()`s with `lazy`. */
function valueImports(source: string, opts: { lazy?: string[] } = {}): string[] {
  const specifiers: string[] = [];
  for (const m of source.matchAll(/^(?:import|export)\s+(type\s+)?(?:([^'";]*?)\s+from\s+)?'([^']+)'/gm)) {
    const [, typeOnly, clause = '', specifier] = m;
    const names = /^\{([^}]*)\}$/.exec(clause.trim())?.[1]?.split(',').map((s) => s.trim()).filter(Boolean);
    const allTypes = names !== undefined && names.length > 0 && names.every((n) => n.startsWith('type '));
    if (!typeOnly && !allTypes) specifiers.push(specifier!);
  }
  for (const m of source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) (opts.lazy ?? specifiers).push(m[1]!);
  return specifiers;
}

const packageOf = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

describe('what the gateway loads', () => {
  it('imports @handoff/shared by subpath, and nothing reached that way imports a heavy package (sources)', () => {
    const problems: string[] = [];
    const seen = new Set<string>();
    const resolve = (file: string, specifier: string) =>
      specifier.startsWith('@handoff/shared/')
        ? path.join(root, 'shared/src', `${specifier.slice('@handoff/shared/'.length)}.ts`)
        : specifier.startsWith('.')
          ? path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts'))
          : undefined;
    const operatorOnly = OPERATOR_ONLY.map((f) => path.join(root, f));
    const visit = (file: string, via: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const lazy: string[] = [];
      for (const specifier of valueImports(readFileSync(file, 'utf8'), { lazy })) {
        const target = resolve(file, specifier);
        if (specifier === '@handoff/shared') problems.push(`${via}: imports the @handoff/shared barrel`);
        else if (target && operatorOnly.includes(target)) problems.push(`${via}: imports the operator-only ${specifier} statically (import() it when an operator asks)`);
        else if (target) visit(target, `${via} → ${specifier}`);
        else if (HEAVY.includes(packageOf(specifier))) problems.push(`${via}: imports ${specifier}`);
      }
      for (const specifier of lazy) {
        const target = resolve(file, specifier);
        if (target && operatorOnly.includes(target)) continue;
        if (target) visit(target, `${via} → import(${specifier})`);
        else if (HEAVY.includes(packageOf(specifier))) problems.push(`${via}: imports ${specifier}`);
      }
    };
    for (const file of filesUnder(path.join(root, 'gateway/src'), (f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))) {
      visit(file, path.relative(root, file));
    }
    expect(problems).toEqual([]);
  });

  it('never enters AsyncLocalStorage: the request id is passed along, not kept in async context', () => {
    // One `storage.run()` anywhere turns on Node's promise hooks for the whole process, which cost
    // every request CPU (bench/RESULTS.md). shared/src/logging/logger.ts defines the helpers the
    // subgraphs use; the gateway and the shared modules it reaches must not enter a context
    // (reading one, `currentRequestId()`, enables nothing and finds none here).
    const uses: string[] = [];
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      if (!file.endsWith(path.join('logging', 'logger.ts')) && /\brunWithRequestContext\(|new AsyncLocalStorage\b|\.enterWith\(/.test(source)) {
        uses.push(path.relative(root, file));
      }
      for (const specifier of valueImports(source)) {
        if (specifier.startsWith('@handoff/shared/')) visit(path.join(root, 'shared/src', `${specifier.slice('@handoff/shared/'.length)}.ts`));
        else if (specifier.startsWith('.')) visit(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
      }
    };
    for (const file of filesUnder(path.join(root, 'gateway/src'), (f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))) visit(file);
    expect(seen.size).toBeGreaterThan(40);
    expect(uses).toEqual([]);
    // Nor does the tracing SDK's context manager, when tracing is on: the gateway asks for the
    // synchronous one (shared/src/tracing/sync-context.ts).
    expect(readFileSync(path.join(root, 'gateway/src/main.ts'), 'utf8')).toMatch(/startTracing\(process\.env, \{ asyncContext: false \}\)/);
  });

  it('loads none of them at run time (built output: every module but main.js)', () => {
    const dist = path.join(root, 'gateway/dist');
    expect(existsSync(path.join(dist, 'gateway.js')), 'gateway/dist is missing: run `npm run build` first').toBe(true);
    const modules = filesUnder(dist, (f) => f.endsWith('.js') && f !== 'main.js')
      .filter((f) => !OPERATOR_ONLY_DIST.includes(path.relative(dist, f).split(path.sep).join('/')))
      .map((f) => pathToFileURL(f).href);
    // A child process records every module it resolves (ESM, through a resolve hook) and every
    // CommonJS module it loads (require.cache), then prints their packages.
    const hooks = `let port;
      export function initialize(data) { port = data.port; port.on('message', () => port.postMessage({ flushed: true })); port.unref(); }
      export async function resolve(specifier, context, next) { const r = await next(specifier, context); port.postMessage({ url: r.url }); return r; }`;
    const child = `
      import { createRequire, register } from 'node:module';
      import { MessageChannel } from 'node:worker_threads';
      const { port1, port2 } = new MessageChannel();
      const urls = new Set();
      let flushed;
      port1.on('message', (m) => (m.url ? urls.add(m.url) : flushed()));
      register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}), { data: { port: port2 }, transferList: [port2] });
      for (const m of ${JSON.stringify(modules)}) await import(m);
      // A gateway as main.js makes it (not listening: no Redis), Apollo Server started.
      const { readFileSync } = await import('node:fs');
      const { createGateway } = await import(${JSON.stringify(pathToFileURL(path.join(root, 'gateway/dist/gateway.js')).href)});
      const { loadGatewayConfig } = await import(${JSON.stringify(pathToFileURL(path.join(root, 'gateway/dist/config.js')).href)});
      const config = loadGatewayConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
      const gateway = await createGateway({ config, supergraphSdl: readFileSync(config.supergraphPath, 'utf8'), subgraphUrls: config.subgraphUrls });
      await gateway.close();
      await new Promise((r) => { flushed = r; port1.postMessage('flush'); });
      port1.close();
      const packages = new Set();
      for (const u of [...urls, ...Object.keys(createRequire(import.meta.url).cache)]) {
        const m = /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(decodeURIComponent(u));
        if (m) packages.add(m[1].replace('\\\\', '/'));
      }
      process.stdout.write(JSON.stringify([...packages]));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', child], { cwd: root, encoding: 'utf8', timeout: 150_000 }); // generous: a loaded 2-core CI machine took 10.8 s
    const loaded: string[] = JSON.parse(out);
    expect(loaded).toContain('@apollo/server'); // the probe sees packages at all
    expect(loaded.filter((p) => HEAVY.includes(p))).toEqual([]);
    // @apollo/gateway and what it pulls in wait for the first operation Handoff's planner leaves to
    // it (execution/apollo-fallback.ts); Apollo Server's inline-trace protobuf code is never needed.
    expect(loaded.filter((p) => DEFERRED.includes(p))).toEqual([]);
  }, 180_000);
});
