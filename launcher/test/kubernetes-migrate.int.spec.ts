// The migrations Job of deploy/kubernetes, run for real: its container's command (as the image
// runs it, from the repository root = the image's WORKDIR) with exactly the environment the
// kubelet would give it (the rendered ConfigMap's keys and the Secret's), against a database
// of its own. It migrates every subgraph in production mode; a second run applies nothing; a
// Secret without a key the Job needs fails it with the variable named, exit code 1.
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IJob } from 'kubernetes-models/batch/v1';
import type { IConfigMap, IContainer } from 'kubernetes-models/v1';
import { testEnv } from '../../test/support/env.js';
import { scratchDatabase } from '../../test/support/scratch-database.js';
import { renderKubernetes } from '../src/kubernetes/render.js';
import { resolveValues } from '../src/kubernetes/values.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

const rendered = renderKubernetes(resolveValues());
const job = rendered.migrate.find((m) => m.kind === 'Job') as IJob;
const configMap = rendered.migrate.find((m) => m.kind === 'ConfigMap') as IConfigMap;
const container = job.spec!.template.spec!.containers[0]!;

function kubeletEnv(c: IContainer, secret: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    const cm = e.valueFrom?.configMapKeyRef;
    const s = e.valueFrom?.secretKeyRef;
    if (cm) env[e.name] = configMap.data![cm.key]!;
    else if (s) {
      if (secret[s.key] !== undefined) env[e.name] = secret[s.key]!;
      else if (!s.optional) throw new Error(`Secret key ${s.key} missing`);
    } else env[e.name] = e.value ?? '';
  }
  return env;
}

/** migrate.js's summary lines (`<subgraph>: …`), without the JSON log lines of LOG_LEVEL=info. */
const summary = (stdout: string) => stdout.split('\n').filter((l) => /^[a-z-]+: /.test(l)).sort();

function runJob(env: Record<string, string>) {
  const [cmd, ...args] = container.command!;
  expect(cmd).toBe('node');
  return run(process.execPath, args, { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 120_000 });
}

describe('deploy/kubernetes: the migrations Job', () => {
  let db: { url: string; drop(): Promise<void> };
  let secret: Record<string, string>;

  beforeAll(async () => {
    db = await scratchDatabase('k8s_migrate');
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    secret = {
      DATABASE_URL: db.url,
      REDIS_URL: testEnv().redisUrl,
      HANDOFF_INTERNAL_SECRET: randomBytes(32).toString('hex'),
      HANDOFF_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      PSP_SANDBOX_ADMIN_KEY: randomBytes(32).toString('hex'),
      AAP_SIGNING_KEY: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      AAP_PUBLIC_KEYS: JSON.stringify({ k1: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') }),
    };
  });
  afterAll(async () => db?.drop());

  it('migrates every subgraph with the rendered environment, in production mode; a second run applies nothing', { timeout: 240_000 }, async () => {
    expect(existsSync(`${root}/launcher/dist/migrate.js`), 'run `npm run build` first').toBe(true);
    const env = kubeletEnv(container, secret);
    expect(env.NODE_ENV).toBe('production');
    const first = await runJob(env);
    const lines = summary(first.stdout);
    expect(lines.map((l) => l.split(':')[0])).toEqual(['checkout-session', 'conversion-ledger', 'merchant', 'payment-intent']);
    for (const line of lines) expect(line, 'a fresh database has migrations to apply').not.toMatch(/up to date$/);

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      for (const schema of ['merchant', 'checkout', 'payment', 'ledger']) {
        const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".migrations`);
        expect(rows[0]!.n, schema).toBeGreaterThan(0);
      }
    } finally {
      await client.end();
    }

    const again = await runJob(env);
    expect(summary(again.stdout)).toEqual(['checkout-session: up to date', 'conversion-ledger: up to date', 'merchant: up to date', 'payment-intent: up to date']);
  });

  it('fails, naming the variable, when the Secret lacks a key a subgraph requires in production', { timeout: 120_000 }, async () => {
    const env = kubeletEnv(container, secret);
    delete env.HANDOFF_ENCRYPTION_KEY;
    const failed = await runJob(env).then(
      () => undefined,
      (err: { code?: number; stderr?: string }) => err,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/HANDOFF_ENCRYPTION_KEY/);
  });
});
