// No import circle in Handoff's sources (issue 17): shared/src, subgraphs/*/src, gateway/src,
// launcher/src and simulators/psp-sandbox/src, tests (*.spec.ts, *.test.ts) excluded. The import graph is read with TypeScript's
// parser (already a dependency; no graph tool to install): every `import … from`, `export … from`,
// `import x = require(…)`, inline `import('…')` type and dynamic `import('…')` with a literal
// specifier, resolved as Node and vitest resolve them here: a relative `./x.js` to `./x.ts` (or
// `./x/index.ts`), `@handoff/<package>[/sub/path]` to that workspace package's src. Type-only
// imports COUNT: they are erased at run time and so cannot break module initialisation, but a
// circle of types is still two modules that cannot be understood, moved or tested one without the
// other, which is what issue 17 asks to be rid of; and moving a shared type into a module of its
// own is always possible (routes.ts → route-deps.ts, settlement.service.ts → settlement-batch.ts).
// Dynamic imports count too. Circles are found as strongly connected components (Tarjan).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

type ImportKind = 'value' | 'type' | 'dynamic';

interface ImportEdge {
  specifier: string;
  kind: ImportKind;
}

interface SourceGraph {
  /** Every source file (absolute path) → the files it imports, with how. */
  edges: Map<string, Array<{ to: string; kind: ImportKind }>>;
  /** Relative or workspace specifiers that name no source file: the graph would miss an edge. */
  unresolved: string[];
}

/** The module specifiers a TypeScript source names, with whether each import is type-only. */
function importsOf(fileName: string, text: string): ImportEdge[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: ImportEdge[] = [];
  const literal = (node: ts.Node | undefined): string | undefined => (node && ts.isStringLiteralLike(node) ? node.text : undefined);
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      // `import type {…}` or `import { type a, type b }` (nothing but types named).
      const typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      const specifier = literal(node.moduleSpecifier);
      if (specifier) out.push({ specifier, kind: typeOnly ? 'type' : 'value' });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      const specifier = literal(node.moduleSpecifier);
      if (specifier) out.push({ specifier, kind: node.isTypeOnly ? 'type' : 'value' });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const specifier = literal(node.moduleReference.expression);
      if (specifier) out.push({ specifier, kind: node.isTypeOnly ? 'type' : 'value' });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const specifier = literal(node.argument.literal);
      if (specifier) out.push({ specifier, kind: 'type' });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const specifier = literal(node.arguments[0]);
      if (specifier) out.push({ specifier, kind: 'dynamic' });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/**
 * The import graph of `files`. `packages` maps a workspace package name to its src folder;
 * specifiers that are neither relative nor workspace ones (graphql, typeorm, node:…) are not edges.
 */
function sourceGraph(files: readonly string[], read: (file: string) => string, packages: ReadonlyMap<string, string>): SourceGraph {
  const known = new Set(files);
  const edges: SourceGraph['edges'] = new Map();
  const unresolved: string[] = [];
  for (const file of files) {
    const list: Array<{ to: string; kind: ImportKind }> = [];
    for (const { specifier, kind } of importsOf(file, read(file))) {
      let base: string | undefined;
      if (specifier.startsWith('./') || specifier.startsWith('../')) {
        base = resolve(dirname(file), specifier);
      } else {
        for (const [name, src] of packages) {
          if (specifier === name) base = join(src, 'index');
          else if (specifier.startsWith(`${name}/`)) base = join(src, specifier.slice(name.length + 1));
        }
        if (base === undefined) continue;
      }
      const to = [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')].find((candidate) => known.has(candidate));
      if (to) list.push({ to, kind });
      else if (!/\.json$/.test(specifier) || !existsSync(base)) unresolved.push(`${file}: '${specifier}'`);
    }
    edges.set(file, list);
  }
  return { edges, unresolved };
}

/**
 * Every import circle: one per strongly connected component, as a path from its first file back to
 * it, each step with the kind of the import it follows.
 */
function importCycles(graph: SourceGraph['edges']): Array<Array<{ file: string; kind?: ImportKind }>> {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const strongConnect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const { to } of graph.get(v) ?? []) {
      if (!graph.has(to)) continue;
      if (!index.has(to)) {
        strongConnect(to);
        low.set(v, Math.min(low.get(v)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(v, Math.min(low.get(v)!, index.get(to)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      const selfImport = (graph.get(v) ?? []).some((e) => e.to === v);
      if (component.length > 1 || selfImport) components.push(component.sort());
    }
  };
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) strongConnect(file);

  // A concrete circle per component: the shortest path from its first file back to it (BFS).
  return components.map((component) => {
    const members = new Set(component);
    const start = component[0]!;
    const previous = new Map<string, { from: string; kind: ImportKind }>();
    const queue = [start];
    search: while (queue.length > 0) {
      const v = queue.shift()!;
      for (const { to, kind } of graph.get(v) ?? []) {
        if (!members.has(to) || previous.has(to)) continue;
        previous.set(to, { from: v, kind });
        if (to === start) break search;
        queue.push(to);
      }
    }
    const path: Array<{ file: string; kind?: ImportKind }> = [{ file: start }];
    let at = start;
    do {
      const step = previous.get(at)!;
      path.unshift({ file: step.from, kind: step.kind });
      at = step.from;
    } while (at !== start);
    return path;
  });
}

function describeCycle(cycle: Array<{ file: string; kind?: ImportKind }>, root: string): string {
  return cycle.map((p) => `${relative(root, p.file)}${p.kind ? ` -(${p.kind})->` : ''}`).join(' ');
}

/** The source files of the four subgraphs, shared, the gateway and the launcher; no tests. */
function handoffSources(): { files: string[]; packages: Map<string, string> } {
  const srcDirs = ['shared', 'gateway', 'launcher', ...readdirSync(join(REPO, 'subgraphs')).map((s) => `subgraphs/${s}`), 'simulators/psp-sandbox'].map((d) => join(REPO, d));
  const packages = new Map<string, string>();
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !/\.(spec|test|d)\.ts$/.test(entry.name)) files.push(path);
    }
  };
  for (const dir of srcDirs) {
    if (!existsSync(join(dir, 'src'))) continue;
    packages.set((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string }).name, join(dir, 'src'));
    walk(join(dir, 'src'));
  }
  return { files: files.sort(), packages };
}

describe('import circles', () => {
  it("Handoff's sources (shared, subgraphs, gateway, launcher; tests excluded) have none, type-only imports included", () => {
    const { files, packages } = handoffSources();
    const { edges, unresolved } = sourceGraph(files, (f) => readFileSync(f, 'utf8'), packages);
    // The graph is the real one: every package, hundreds of files, cross-package edges, nothing unread.
    expect([...packages.keys()].sort()).toEqual([
      '@handoff/checkout-session',
      '@handoff/conversion-ledger',
      '@handoff/gateway',
      '@handoff/launcher',
      '@handoff/merchant',
      '@handoff/payment-intent',
      '@handoff/psp-sandbox',
      '@handoff/shared',
    ]);
    expect(files.length).toBeGreaterThan(250);
    expect(unresolved).toEqual([]);
    const all = [...edges.values()].flat();
    expect(all.filter((e) => e.to.startsWith(packages.get('@handoff/shared')!)).length).toBeGreaterThan(100);
    expect(all.some((e) => e.kind === 'type')).toBe(true);

    const cycles = importCycles(edges).map((c) => describeCycle(c, REPO));
    expect(cycles, 'import circles (move what both sides need into a module of its own)').toEqual([]);
  });

  describe('the check itself', () => {
    const packages = new Map([['@handoff/lib', '/r/lib/src']]);
    const graphOf = (sources: Record<string, string>) => sourceGraph(Object.keys(sources), (f) => sources[f]!, packages);

    it('finds a circle closed by a type-only import, and names its files and edges in order', () => {
      const { edges, unresolved } = graphOf({
        '/r/app/src/routes.ts': `import { mountA } from './a/a.routes.js';\nexport const mounts = [mountA];`,
        '/r/app/src/a/a.routes.ts': `import type { Deps } from '../routes.js';\nexport const mountA = (d: Deps) => d;`,
      });
      expect(unresolved).toEqual([]);
      expect(importCycles(edges).map((c) => describeCycle(c, '/r'))).toEqual(['app/src/a/a.routes.ts -(type)-> app/src/routes.ts -(value)-> app/src/a/a.routes.ts']);
    });

    it('finds circles through export-from, inline import() types, dynamic imports, require, workspace paths and index files', () => {
      const circles = (sources: Record<string, string>) => importCycles(graphOf(sources).edges).length;
      expect(circles({ '/r/x.ts': `export * from './y.js';`, '/r/y.ts': `export { a } from './x.js';` })).toBe(1);
      expect(circles({ '/r/x.ts': `import { b } from './y.js';`, '/r/y.ts': `let a: import('./x.js').A;` })).toBe(1);
      expect(circles({ '/r/x.ts': `import { b } from './y.js';`, '/r/y.ts': `const m = await import('./x.js');` })).toBe(1);
      expect(circles({ '/r/x.ts': `import y = require('./y.js');`, '/r/y.ts': `import { type A, type B } from './x.js';` })).toBe(1);
      expect(circles({ '/r/app/a.ts': `import { l } from '@handoff/lib/deep/l';`, '/r/lib/src/deep/l.ts': `import '../index.js';`, '/r/lib/src/index.ts': `export * from '../../app/a.js';` })).toBe(1);
      expect(circles({ '/r/dir/index.ts': `import './x.js';`, '/r/dir/x.ts': `import { i } from '../dir';` })).toBe(1);
      expect(circles({ '/r/self.ts': `import { me } from './self.js';` })).toBe(1);
    });

    it('finds none in a graph without circles (a diamond), and ignores specifiers of other packages', () => {
      const { edges, unresolved } = graphOf({
        '/r/top.ts': `import './left.js'; import type { R } from './right.js'; import { parse } from 'graphql'; import 'node:fs';`,
        '/r/left.ts': `import { b } from './bottom.js'; // import './top.js'\nconst s = "import './top.js'";`,
        '/r/right.ts': `export type { B } from './bottom.js';`,
        '/r/bottom.ts': `export const b = 1;`,
      });
      expect(unresolved).toEqual([]);
      expect(importCycles(edges)).toEqual([]);
      expect(edges.get('/r/top.ts')!.map((e) => e.kind)).toEqual(['value', 'type']);
    });

    it('reports a relative or workspace specifier that names no source file (an edge it would miss)', () => {
      const { unresolved } = graphOf({ '/r/a.ts': `import './missing.js'; import '@handoff/lib/nope';` });
      expect(unresolved).toEqual([`/r/a.ts: './missing.js'`, `/r/a.ts: '@handoff/lib/nope'`]);
    });
  });
});
