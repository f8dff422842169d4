// deploy/kubernetes/ against the code: the processes are docker-compose.yml's, and each
// container's environment (ConfigMap keys, Secret keys, literals) is what its package's
// src/config.ts reads and accepts in production. The Secret is the one README.md tells users
// to create; here its values are generated in the forms the README gives.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IJob } from 'kubernetes-models/batch/v1';
import type { IConfigMap, IContainer } from 'kubernetes-models/v1';
import { SECRET_KEYS } from './kubernetes/processes.js';
import { renderKubernetes, type Rendered } from './kubernetes/render.js';
import { resolveValues } from './kubernetes/values.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (p: string) => readFileSync(path.join(root, p), 'utf8');

/** The Secret's data, as README.md's `kubectl create secret` recipe makes it. */
const secret: Record<(typeof SECRET_KEYS)[number], string> = {
  DATABASE_URL: 'postgres://handoff:pw@postgres.databases.svc.cluster.local:5432/handoff',
  DATABASE_READ_URL: 'postgres://handoff:pw@postgres-replica.databases.svc.cluster.local:5432/handoff',
  REDIS_URL: 'redis://redis.databases.svc.cluster.local:6379',
  HANDOFF_INTERNAL_SECRET: randomBytes(32).toString('hex'),
  HANDOFF_ADMIN_KEY: `hk_adm_${randomBytes(24).toString('hex')}`,
  HANDOFF_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  PSP_SANDBOX_ADMIN_KEY: randomBytes(32).toString('hex'),
  METRICS_TOKEN: randomBytes(16).toString('hex'),
  ...(() => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    return {
      AAP_SIGNING_KEY: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      AAP_PUBLIC_KEYS: JSON.stringify({ k1: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') }),
    };
  })(),
};

/** A container's environment as the kubelet would give it: refs resolved, optional ones absent when missing. */
function containerEnv(rendered: Rendered, c: IContainer, data: Record<string, string> = secret): Record<string, string> {
  const cm = rendered.migrate.find((m) => m.kind === 'ConfigMap') as IConfigMap;
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    const cmRef = e.valueFrom?.configMapKeyRef;
    const sRef = e.valueFrom?.secretKeyRef;
    if (cmRef) {
      expect(cmRef.name).toBe(cm.metadata!.name);
      const v = cm.data![cmRef.key];
      if (v === undefined) throw new Error(`${c.name}: ${e.name} refers to ConfigMap key ${cmRef.key}, which it does not have`);
      env[e.name] = v;
    } else if (sRef) {
      const v = data[sRef.key as keyof typeof data];
      if (v === undefined && !sRef.optional) throw new Error(`${c.name}: Secret key ${sRef.key} is missing (CreateContainerConfigError)`);
      if (v !== undefined) env[e.name] = v;
    } else {
      env[e.name] = e.value ?? '';
    }
  }
  return env;
}

/** Environment names a config source reads: zod object keys and process.env.NAME. */
function namesIn(file: string): Set<string> {
  const source = read(file);
  return new Set([...source.matchAll(/^\s*([A-Z][A-Z0-9_]+)\s*:/gm), ...source.matchAll(/process\.env\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]!));
}
const readsOf = (packageDir: string) =>
  packageDir === 'simulators/psp-sandbox' ? namesIn(`${packageDir}/src/config.ts`) : new Set([...namesIn('shared/src/config/config.ts'), ...namesIn(`${packageDir}/src/config.ts`)]);

type Loader = (env: Record<string, string | undefined>) => unknown;
async function loaderOf(packageDir: string): Promise<Loader> {
  const mod = (await import(pathToFileURL(path.join(root, packageDir, 'src/config.ts')).href)) as Record<string, unknown>;
  const loaders = Object.entries(mod).filter(([n, v]) => /^load\w*Config$/.test(n) && typeof v === 'function');
  expect(loaders, `${packageDir}/src/config.ts exports one load…Config`).toHaveLength(1);
  return loaders[0]![1] as Loader;
}

/** Strings anywhere in a loaded config (not class instances such as the logger or keys). */
function strings(value: unknown, depth = 0): string[] {
  if (typeof value === 'string') return [value];
  if (depth > 4 || !value || typeof value !== 'object' || Buffer.isBuffer(value)) return [];
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null && !Array.isArray(value)) return [];
  return Object.values(value).flatMap((v) => strings(v, depth + 1));
}

const SUBGRAPH_DIRS = ['subgraphs/merchant', 'subgraphs/checkout-session', 'subgraphs/payment-intent', 'subgraphs/conversion-ledger'];

/** The package a container's command runs (`node <package>/dist/…`); the Job's is every subgraph's. */
const packagesOf = (c: IContainer) => {
  const m = /^(.+)\/dist\/(main|worker|migrate)\.js$/.exec(c.command![1]!)!;
  return m[1] === 'launcher' ? SUBGRAPH_DIRS : [m[1]!];
};

function containersOf(rendered: Rendered): Array<[string, IContainer]> {
  return [...rendered.migrate, ...rendered.app]
    .filter((m) => m.kind === 'Deployment' || m.kind === 'Job')
    .map((m) => [m.metadata!.name!, (m as IDeployment | IJob).spec!.template.spec!.containers[0]!]);
}

const renders = {
  defaults: renderKubernetes(resolveValues()),
  'a sandbox PSP elsewhere': renderKubernetes(resolveValues([{ pspSandbox: { enabled: false, url: 'https://psp-sandbox.example.com' } }])),
  'the ledger without workers': renderKubernetes(resolveValues([{ workers: { 'conversion-ledger': { replicas: 0 } } }])),
};

describe('deploy/kubernetes against the code', () => {
  it('runs docker-compose.yml’s processes, each with the same command, from the one image', () => {
    const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as { services: Record<string, { command?: string[] }> };
    const composeApps = Object.entries(compose.services).filter(([, s]) => s.command?.[0] === 'node');
    const deployments = renders.defaults.app.filter((m) => m.kind === 'Deployment') as IDeployment[];
    const k8s = deployments.map((d) => [d.metadata!.labels!['app.kubernetes.io/component'], d.spec!.template.spec!.containers[0]!.command]);
    expect(Object.fromEntries(k8s)).toEqual(Object.fromEntries(composeApps.map(([name, s]) => [name, s.command])));
    // The portal is static files the gateway serves: no process of its own, in Compose or here.
    expect(k8s.map(([c]) => c)).not.toContain('portal');
  });

  for (const [variant, rendered] of Object.entries(renders)) {
    it.each(containersOf(rendered))(`${variant}: %s sets only variables its config reads`, (_name, c) => {
      const reads = new Set(packagesOf(c).flatMap((p) => [...readsOf(p)]));
      expect(reads.size).toBeGreaterThan(5);
      expect((c.env ?? []).map((e) => e.name).filter((n) => !reads.has(n))).toEqual([]);
    });

    it.each(containersOf(rendered))(`${variant}: %s has what its config requires in production, and nothing points at itself`, { timeout: 30_000 }, async (_name, c) => {
      const env = containerEnv(rendered, c);
      expect(env.NODE_ENV).toBe('production');
      for (const packageDir of packagesOf(c)) {
        const load = await loaderOf(packageDir);
        let config: unknown;
        expect(() => {
          config = load(env);
        }, `${packageDir} rejects the environment`).not.toThrow();
        // In a pod 127.0.0.1 is the pod itself: a default pointing there is one the manifests forgot.
        expect(strings((config as { env?: unknown }).env ?? config).filter((v) => /\b127\.0\.0\.1\b|\[::1\]|\blocalhost\b/.test(v))).toEqual([]);
      }
    });
  }

  it('with no sandbox PSP at all, payment-intent keeps only its default sandbox URL (the documented "down" in the health report)', async () => {
    const rendered = renderKubernetes(resolveValues([{ pspSandbox: { enabled: false } }]));
    const [, payment] = containersOf(rendered).find(([n]) => n === 'handoff-payment-intent')!;
    const { PSP_SANDBOX_ADMIN_KEY: _none, ...withoutSandboxKey } = secret;
    const config = (await loaderOf('subgraphs/payment-intent'))(containerEnv(rendered, payment, withoutSandboxKey)) as { env: unknown; sandbox: { url: string } };
    expect(strings(config.env).filter((v) => /127\.0\.0\.1/.test(v))).toEqual([config.sandbox.url]);
    expect(() => resolveValues([{ pspSandbox: { url: 'https://psp-sandbox.example.com' } }])).toThrow(/only with pspSandbox.enabled false/);
  });

  it('fails a container whose required secret is missing, or whose config refuses it (the checks are real)', async () => {
    const [, checkout] = containersOf(renders.defaults).find(([n]) => n === 'handoff-checkout-session')!;
    const { AAP_SIGNING_KEY: _dropped, ...withoutKey } = secret;
    expect(() => containerEnv(renders.defaults, checkout, withoutKey)).toThrow(/AAP_SIGNING_KEY is missing/);
    const load = await loaderOf('subgraphs/checkout-session');
    expect(() => load({ ...containerEnv(renders.defaults, checkout), AAP_SIGNING_KEY: undefined })).toThrow(/AAP_SIGNING_KEY/);
    // A variable no config reads is caught by the name check.
    expect(readsOf('subgraphs/checkout-session').has('CHECKOUT_HTTP_PORT')).toBe(false);
    expect(readsOf('subgraphs/checkout-session').has('CHECKOUT_SESSION_PORT')).toBe(true);
  });

  it('gives DATABASE_READ_URL (optional) and the max lag only to the packages with BI reads, and they take them', async () => {
    for (const [name, c] of containersOf(renders.defaults)) {
      const read = (c.env ?? []).find((e) => e.name === 'DATABASE_READ_URL');
      const withBiReads = /^handoff-(conversion-ledger|checkout-session)(-worker)?$|^handoff-migrate-/.test(name);
      expect(read?.valueFrom?.secretKeyRef, name).toEqual(withBiReads ? { name: 'handoff-secrets', key: 'DATABASE_READ_URL', optional: true } : undefined);
      expect((c.env ?? []).some((e) => e.name === 'DATABASE_READ_MAX_LAG_SECONDS'), name).toBe(withBiReads);
    }
    const [, ledger] = containersOf(renders.defaults).find(([n]) => n === 'handoff-conversion-ledger')!;
    const config = (await loaderOf('subgraphs/conversion-ledger'))(containerEnv(renders.defaults, ledger)) as { readReplica?: { url: string; maxLagSeconds: number } };
    expect(config.readReplica).toMatchObject({ url: secret.DATABASE_READ_URL, maxLagSeconds: 30 });
    // Without the key in the Secret (optional ref): no replica, every read on DATABASE_URL.
    const { DATABASE_READ_URL: _none, ...withoutReplica } = secret;
    const primaryOnly = (await loaderOf('subgraphs/conversion-ledger'))(containerEnv(renders.defaults, ledger, withoutReplica)) as { readReplica?: unknown };
    expect(primaryOnly.readReplica).toBeUndefined();
  });

  it('gives each process only the Secret keys it reads, and README.md says how to make each', () => {
    const readme = read('README.md');
    const used = new Set<string>();
    for (const [name, c] of containersOf(renders.defaults)) {
      const keys = (c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef.key] : []));
      keys.forEach((k) => used.add(k));
      if (name === 'handoff-psp-sandbox') expect(keys.sort()).toEqual(['DATABASE_URL', 'PSP_SANDBOX_ADMIN_KEY', 'REDIS_URL']);
      if (name === 'handoff-gateway') expect(keys).not.toContain('HANDOFF_ENCRYPTION_KEY');
      expect(c.envFrom, `${name} takes a whole ConfigMap or Secret`).toBeUndefined();
    }
    expect([...used].sort()).toEqual([...SECRET_KEYS].sort());
    const section = readme.slice(readme.indexOf('## Running in production'));
    expect(section).toContain('npm run k8s:render');
    for (const key of SECRET_KEYS) expect(section, `README's production section should say how to set ${key}`).toContain(`${key}=`);
  });
});
