// `npm run migrate`: runs every subgraph's pending migrations against DATABASE_URL.
import { fileURLToPath } from 'node:url';
import { subgraphModules } from './subgraphs.js';

export async function migrateAll(env: Record<string, string | undefined>): Promise<Record<string, string[]>> {
  const applied: Record<string, string[]> = {};
  for (const module of subgraphModules) {
    const app = await module.createApp(module.loadConfig(env));
    try {
      applied[module.name] = await app.migrate();
    } finally {
      await app.close();
    }
  }
  return applied;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const applied = await migrateAll(process.env);
    for (const [name, list] of Object.entries(applied)) {
      console.log(`${name}: ${list.length ? list.join(', ') : 'up to date'}`);
    }
    process.exit(0);
  } catch (err) {
    console.error('migrate failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
