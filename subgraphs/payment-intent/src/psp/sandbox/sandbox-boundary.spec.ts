// The sandbox PSP is an external system: payment-intent reaches it over HTTP only
// (sandbox-client.ts), as it reaches Stripe. Its import graph (its own sources and @handoff/shared,
// which it imports, read with TypeScript's parser: static, type-only, re-exports, dynamic and
// inline type imports) names nothing of simulators/psp-sandbox but the public test-card list,
// `@handoff/psp-sandbox/test-cards`, and that module imports nothing of the sandbox itself.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../..');
const SANDBOX_DIR = join(REPO, 'simulators/psp-sandbox');
const ALLOWED = '@handoff/psp-sandbox/test-cards';

function specifiersOf(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: string[] = [];
  const literal = (node: ts.Node | undefined) => (node && ts.isStringLiteralLike(node) ? node.text : undefined);
  const visit = (node: ts.Node): void => {
    let s: string | undefined;
    if (ts.isImportDeclaration(node) || (ts.isExportDeclaration(node) && node.moduleSpecifier)) s = literal(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) s = literal(node.moduleReference.expression);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) s = literal(node.argument.literal);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) s = literal(node.arguments[0]);
    if (s) out.push(s);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** What in `file`'s imports reaches the sandbox other than through the allowed module. */
function sandboxReaches(file: string, text: string): string[] {
  return specifiersOf(file, text).flatMap((s) => {
    if (s.startsWith('@handoff/psp-sandbox')) return s === ALLOWED ? [] : [`${relative(REPO, file)} imports '${s}'`];
    if (s.startsWith('.') && resolve(dirname(file), s).startsWith(`${SANDBOX_DIR}/`)) return [`${relative(REPO, file)} imports '${s}' (inside the sandbox)`];
    return [];
  });
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !/\.(spec|test|d)\.ts$/.test(e.name) ? [path] : [];
  });
}

describe('payment-intent and the sandbox PSP', () => {
  it('payment-intent (and shared, which it imports) imports nothing of the sandbox but its public test-card list', () => {
    const files = [...sources(join(REPO, 'subgraphs/payment-intent/src')), ...sources(join(REPO, 'shared/src'))];
    expect(files.length).toBeGreaterThan(100);
    const found = files.flatMap((f) => sandboxReaches(f, readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
    // The allowed module is really used (the check sees the real graph), and by the readers of the list (the card-update page shows it in test mode too).
    const users = files.filter((f) => specifiersOf(f, readFileSync(f, 'utf8')).includes(ALLOWED)).map((f) => relative(REPO, f)).sort();
    expect(users).toEqual([
      'subgraphs/payment-intent/src/billing-subscription/card-update/card-update-page.ts',
      'subgraphs/payment-intent/src/payment-intent/payment-intent.resolver.ts',
      'subgraphs/payment-intent/src/psp/sandbox/sandbox-connector.ts',
      'subgraphs/payment-intent/src/psp/stripe/stripe-connector.ts',
    ]);
  });

  it('the public test-card list imports nothing of the sandbox (it cannot drag the rest in)', () => {
    const file = join(SANDBOX_DIR, 'src/test-cards.ts');
    expect(specifiersOf(file, readFileSync(file, 'utf8'))).toEqual(['@handoff/shared']);
  });

  it('the check fails on any other way in: the package root, a deep path, a relative path, a type-only or dynamic import', () => {
    const file = join(REPO, 'subgraphs/payment-intent/src/psp/x.ts');
    const text = [
      `import { createSandbox } from '@handoff/psp-sandbox';`,
      `import type { SandboxPayments } from '@handoff/psp-sandbox/payments/payments.service';`,
      `export * from '../../../../simulators/psp-sandbox/src/app.js';`,
      `const m = await import('@handoff/psp-sandbox/webhooks/jobs');`,
      `type T = import('@handoff/psp-sandbox/config').SandboxConfig;`,
      `import { SANDBOX_TEST_CARDS } from '${ALLOWED}';`,
    ].join('\n');
    expect(sandboxReaches(file, text)).toHaveLength(5);
  });
});
