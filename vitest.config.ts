// One vitest run for the whole workspace. Sources run through SWC so type-graphql and TypeORM
// get their decorator metadata; workspace packages resolve to their sources, and the bare
// `graphql` specifier to one file, so only one copy of graphql is ever loaded.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

const alias = [
  { find: /^graphql$/, replacement: require.resolve('graphql') },
  { find: /^@handoff\/shared$/, replacement: here('./shared/src/index.ts') },
  { find: /^@handoff\/shared\/(.*)$/, replacement: here('./shared/src/$1') },
  { find: /^@handoff\/merchant$/, replacement: here('./subgraphs/merchant/src/index.ts') },
  { find: /^@handoff\/checkout-session$/, replacement: here('./subgraphs/checkout-session/src/index.ts') },
  { find: /^@handoff\/payment-intent$/, replacement: here('./subgraphs/payment-intent/src/index.ts') },
  { find: /^@handoff\/conversion-ledger$/, replacement: here('./subgraphs/conversion-ledger/src/index.ts') },
  { find: /^@handoff\/psp-sandbox$/, replacement: here('./simulators/psp-sandbox/src/index.ts') },
  { find: /^@handoff\/psp-sandbox\/(.*)$/, replacement: here('./simulators/psp-sandbox/src/$1.ts') },
  { find: /^@handoff\/gateway$/, replacement: here('./gateway/src/index.ts') },
  { find: /^@handoff\/launcher$/, replacement: here('./launcher/src/index.ts') },
];

const plugins = [
  swc.vite({
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      keepClassNames: true,
      target: 'es2022',
    },
  }),
];

export default defineConfig({
  plugins,
  resolve: { alias },
  test: {
    globalSetup: [here('./test/support/global-setup.ts')],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['shared/src/**/*.spec.ts', 'simulators/*/src/**/*.spec.ts', 'subgraphs/*/src/**/*.spec.ts', 'gateway/src/**/*.spec.ts', 'launcher/src/**/*.spec.ts'],
          // Some specs read the whole source tree (import circles, docs drift, engines): on a busy
          // 2-core machine that can take longer than vitest's 5 s default. A bound, not a target.
          testTimeout: 60_000,
          // Pure specs: one process for all of them instead of a fresh fork (and a fresh import of
          // the shared sources) per file: 175 s -> 30 s on 2 cores, same results either way.
          isolate: false,
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['shared/test/**/*.int.spec.ts', 'simulators/*/test/**/*.int.spec.ts', 'subgraphs/*/test/**/*.int.spec.ts', 'gateway/test/**/*.int.spec.ts', 'launcher/test/**/*.int.spec.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // Each file on a database and queue prefix of its own (test/support/file-database.ts),
          // two files at a time, in the e2e files' group (after the unit and portal specs).
          setupFiles: [here('./test/support/file-database.ts')],
          maxWorkers: 2,
          // A worker runs file after file in one process: the sources are imported once per worker,
          // not once per file (import time summed over the 80 files: ~320 s -> 43 s on 2 cores). Each
          // file still gets its own database and queue prefix (the set-up file runs per file) and
          // stops what it started; nothing here keeps per-file state in module scope.
          isolate: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.spec.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Two files at a time, with the integration files, after the unit and portal specs:
          // an e2e file spends most of its time waiting on its stack (HTTP, queues, a browser), and
          // each runs on a database of its own (test/support/handoff.ts), so two never meet.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
          // As the integration files: sources imported once per worker (import time summed over the
          // 78 files ~390 s -> 94 s); each file's stack, database and prefix are its own.
          isolate: false,
          // expect.poll waits on a condition (a page re-rendering, a worker finishing): vitest's
          // 1 s default fails on a busy 2-core machine where the condition comes true later. A
          // bound, not a target; a poll that never succeeds still fails.
          expect: { poll: { timeout: 20_000, interval: 100 } },
        },
      },
      {
        // The merchant portal's own specs (portal/src): browser code, rendered to HTML in Node
        // (react-dom/server), no DOM emulation; Vite's own TSX transform, no decorators.
        resolve: { alias: [alias[0]!] },
        test: {
          name: 'portal',
          include: ['portal/src/**/*.spec.{ts,tsx}'],
          environment: 'node',
          isolate: false,
        },
      },
      {
        // Starts Handoff as separate OS processes with private PostgreSQL and Redis and kills
        // them: `npm test` runs it on its own, after the other projects, so its timings are not
        // those of a machine already busy with every other suite.
        plugins,
        resolve: { alias },
        test: {
          name: 'faults',
          include: ['test/faults/**/*.fault.spec.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
