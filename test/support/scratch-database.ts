// A PostgreSQL database of a test's own, beside the run's shared one, dropped when the test is
// done: for a stack that must not see other stacks' rows (their secrets are sealed with other keys).
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function adminQuery(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export async function scratchDatabase(label: string, opts: { migrated?: boolean } = {}): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `handoff_${label}_${randomBytes(4).toString('hex')}`;
  const template = opts.migrated ? process.env.TEST_TEMPLATE_DATABASE : undefined;
  if (template) await copyTemplate(name, template);
  else await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/**
 * A database of a test file's own with every subgraph's migrations already applied: a copy of the
 * run's template (global-setup.ts), or an empty one its stack migrates when there is no template.
 */
export const migratedDatabase = (label: string) => scratchDatabase(label, { migrated: true });

/** CREATE DATABASE … TEMPLATE: PostgreSQL refuses it while another copy of the same template is starting (55006); it is retried. */
async function copyTemplate(name: string, template: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    } catch (err) {
      if ((err as { code?: string }).code !== '55006' || attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
}
