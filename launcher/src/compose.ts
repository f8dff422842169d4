// `npm run compose`: prints each subgraph's SDL and composes the supergraph into the committed
// files the gateway and codegen read. `--check` fails (exit 1) when they would change: CI's
// drift check.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { composeSupergraph, CompositionError } from './composition.js';
import { defaultSubgraphUrl, subgraphModules } from './subgraphs.js';

export const SUPERGRAPH_FILE = fileURLToPath(new URL('../../gateway/supergraph.graphql', import.meta.url));
export const API_SCHEMA_FILE = fileURLToPath(new URL('../../gateway/api-schema.graphql', import.meta.url));

/** Builds every subgraph's SDL without touching a database (nothing is connected or migrated). */
export async function subgraphSdls() {
  const out = [];
  for (const module of subgraphModules) {
    const app = await module.createApp(module.loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'warn' }));
    out.push({ name: module.name, url: defaultSubgraphUrl(module), sdl: app.sdl });
    await app.close();
  }
  return out;
}

async function main() {
  const check = process.argv.includes('--check');
  let composed;
  try {
    composed = composeSupergraph(await subgraphSdls());
  } catch (err) {
    console.error(err instanceof CompositionError ? err.message : err);
    process.exit(1);
  }
  const files = [
    [SUPERGRAPH_FILE, composed.supergraphSdl],
    [API_SCHEMA_FILE, composed.apiSchemaSdl],
  ] as const;
  if (check) {
    const stale: string[] = [];
    for (const [file, content] of files) {
      const current = await readFile(file, 'utf8').catch(() => '');
      if (current !== content) stale.push(file);
    }
    if (stale.length) {
      console.error(`Composed schema has drifted from the committed files (run \`npm run compose\`):\n  ${stale.join('\n  ')}`);
      process.exit(1);
    }
    console.log('compose: supergraph and API schema are current');
    process.exit(0);
  }
  for (const [file, content] of files) await writeFile(file, content);
  console.log(`compose: wrote ${files.map(([f]) => f).join(', ')}`);
  process.exit(0);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
