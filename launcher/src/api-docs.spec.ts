// docs/api.md is the reference users integrate from (the repository carries no other). These
// checks fail when it drifts from the code: the operations tables against the committed API
// schema, and the rest of the text against what the code defines — the gateway's routes (read
// from the express app createGateway builds, not from a list), the error codes, the sandbox's
// test cards. A tracked file that points at `../shared/…` outside the repository (the team
// handbook, which clones do not have) fails too.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, loadGatewayConfig, type HandoffGateway } from '@handoff/gateway';
import { ErrorCode } from '@handoff/shared/errors/codes';
import { TEST_CARDS } from '../../simulators/psp-sandbox/src/test-cards.js';
import { API_DOC_FILE, API_SCHEMA_SDL_FILE, rootFields, updateApiDoc, withoutGeneratedBlock } from './api-docs.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const doc = readFileSync(API_DOC_FILE, 'utf8');
const sdl = readFileSync(API_SCHEMA_SDL_FILE, 'utf8');
const prose = withoutGeneratedBlock(doc);

/** `## Errors` up to the next `## ` heading. */
function section(heading: string): string {
  const start = doc.indexOf(`\n## ${heading}\n`);
  if (start < 0) return '';
  const next = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, next < 0 ? undefined : next);
}

interface GatewayRoute {
  /** GET, POST, … or ALL for a route that takes every method. */
  method: string;
  path: string;
}

/** The routes of the express app, as registered (Express 5's router: one layer per route). */
function routesOf(app: unknown): GatewayRoute[] {
  const stack = (app as { router: { stack: Array<{ route?: { path: string | string[]; methods: Record<string, boolean> } }> } }).router.stack;
  const routes: GatewayRoute[] = [];
  for (const layer of stack) {
    if (!layer.route) continue;
    const methods = Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m]);
    const all = ['get', 'post', 'put', 'patch', 'delete'].every((m) => methods.includes(m));
    for (const p of ([] as string[]).concat(layer.route.path)) {
      if (all) routes.push({ method: 'ALL', path: p });
      else for (const m of methods) routes.push({ method: m.toUpperCase(), path: p });
    }
  }
  return routes;
}

/** Tracked files (git), or every file outside build output and dependencies when git is absent. */
function repositoryFiles(): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\0')
      .filter(Boolean);
  } catch {
    const skip = new Set(['node_modules', 'dist', '.git', '.data']);
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(path.join(repoRoot, dir), { withFileTypes: true })) {
        if (skip.has(e.name)) continue;
        const rel = path.join(dir, e.name);
        if (e.isDirectory()) walk(rel);
        else if (e.isFile()) out.push(rel);
      }
    };
    walk('');
    return out;
  }
}

describe('docs/api.md, the API reference, matches the code', () => {
  let gateway: HandoffGateway;
  let routes: GatewayRoute[];

  beforeAll(async () => {
    // The real gateway's express app; nothing listens and no subgraph is called.
    const config = loadGatewayConfig({ NODE_ENV: 'development', LOG_LEVEL: 'silent' });
    gateway = await createGateway({
      config,
      supergraphSdl: readFileSync(config.supergraphPath, 'utf8'),
      subgraphUrls: config.subgraphUrls,
      apiKeyResolver: { resolve: async () => null, invalidate: () => undefined },
    });
    routes = routesOf(gateway.app);
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('has operations tables generated from gateway/api-schema.graphql (else run `npm run docs:api`)', () => {
    expect(updateApiDoc(doc, sdl) === doc, 'docs/api.md: the operations tables are stale; run `npm run docs:api`').toBe(true);
  });

  it('describes every Query, Mutation and Subscription field outside the generated tables too', () => {
    const fields = rootFields(sdl);
    expect(fields.length).toBeGreaterThan(50);
    const missing = fields.filter((f) => !prose.includes(`\`${f.name}\``) && !new RegExp(`\\b${f.name}\\(`).test(prose)).map((f) => `${f.root}.${f.name}`);
    expect(missing, 'root fields the prose of docs/api.md never mentions (as `name` or name(…))').toEqual([]);
  });

  it('lists every route the gateway registers in its REST routes table, by method and path', () => {
    expect(routes.length).toBeGreaterThan(10);
    expect(routes).toContainEqual({ method: 'POST', path: '/webhooks/:provider/:merchantId' });
    const table = section('REST routes');
    const missing = routes.map((r) => `${r.method} ${r.path}`).filter((route) => !table.includes(`\n| \`${route}\` |`));
    expect(missing, 'gateway routes without a row `| `METHOD /path/:param` |` in the REST routes table of docs/api.md (ALL: every method)').toEqual([]);
  });

  it('documents every error code in its Errors section', () => {
    const errors = section('Errors');
    expect(errors).not.toBe('');
    const missing = Object.values(ErrorCode).filter((code) => !new RegExp(`^\\| \`${code}\` \\|`, 'm').test(errors));
    expect(missing, 'error codes (shared/src/errors/codes.ts) without a row in the Errors table of docs/api.md').toEqual([]);
  });

  it('documents every sandbox test card', () => {
    const cards = section('Sandbox PSP and test cards');
    const missing = Object.keys(TEST_CARDS).filter((number) => !cards.includes(`\`${number}\``));
    expect(missing, 'sandbox test cards (simulators/psp-sandbox/src/test-cards.ts) not in docs/api.md').toEqual([]);
  });

  it('no tracked file points at ../shared/… outside the repository (the team handbook clones lack)', () => {
    const offending: string[] = [];
    const self = path.relative(repoRoot, fileURLToPath(import.meta.url)); // names the pattern it looks for
    for (const file of repositoryFiles()) {
      if (file === self) continue;
      const full = path.join(repoRoot, file);
      if (!existsSync(full) || statSync(full).size > 2_000_000) continue;
      const text = readFileSync(full);
      if (text.includes(0)) continue; // binary
      const source = text.toString('utf8');
      for (const m of source.matchAll(/(?:\.\.\/)+shared(?:\/[^\s)'"`\]>,]*)?/g)) {
        const target = path.resolve(path.dirname(full), m[0]);
        const inside = !path.relative(repoRoot, target).startsWith('..');
        if (!inside || !existsSync(target)) offending.push(`${file}: ${m[0]}`);
      }
    }
    expect(offending, 'links to ../shared/ that a clone of the repository cannot follow (link docs/api.md instead)').toEqual([]);
  });
});
