// deploy/kubernetes run as a kubelet would run it, on this machine: the migrations Job, then
// every Deployment's container (its command, from the repository root = the image's WORKDIR)
// as an OS process with exactly the environment of its rendered env refs. Only what a cluster
// provides is stood in for: Service names resolve to 127.0.0.1 and each container port gets a
// free local one (cluster DNS and pod IPs); the Secret is the one README.md describes, on a
// database of its own. Every server's probes must answer on its rendered paths, the gateway's
// readiness included (it needs every subgraph and every package's worker heartbeat), and
// /metrics on the metrics port with METRICS_TOKEN.
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IJob } from 'kubernetes-models/batch/v1';
import type { IConfigMap, IContainer, IService } from 'kubernetes-models/v1';
import { testEnv } from '../../test/support/env.js';
import { scratchDatabase } from '../../test/support/scratch-database.js';
import { renderKubernetes } from '../src/kubernetes/render.js';
import { resolveValues } from '../src/kubernetes/values.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const gone = exited();
    if (gone) throw new Error(`${what}: ${gone}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const status = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers, signal: AbortSignal.timeout(5_000) }).then(async (r) => (await r.body?.cancel(), r.status));

describe('deploy/kubernetes, run as a kubelet would', () => {
  const queuePrefix = `k8s-${randomBytes(3).toString('hex')}`;
  let db: { url: string; drop(): Promise<void> };
  let secret: Record<string, string>;
  const procs = new Map<string, { child: ChildProcess; exit?: string; stderr: string }>();
  /** Deployment name → container port → local port. */
  const local = new Map<string, Map<number, number>>();
  let rendered: ReturnType<typeof renderKubernetes>;

  const deployments = () => rendered.app.filter((m) => m.kind === 'Deployment') as IDeployment[];
  const containerOf = (d: IDeployment | IJob) => d.spec!.template.spec!.containers[0]!;

  /** A container's env as the kubelet gives it, then with cluster DNS and pod ports stood in for. */
  function envOf(name: string, c: IContainer): Record<string, string> {
    const cm = rendered.migrate.find((m) => m.kind === 'ConfigMap') as IConfigMap;
    const services = rendered.app.filter((m) => m.kind === 'Service') as IService[];
    const env: Record<string, string> = {};
    for (const e of c.env ?? []) {
      const cmRef = e.valueFrom?.configMapKeyRef;
      const sRef = e.valueFrom?.secretKeyRef;
      if (cmRef) env[e.name] = cm.data![cmRef.key]!;
      else if (sRef) {
        if (secret[sRef.key] !== undefined) env[e.name] = secret[sRef.key]!;
        else if (!sRef.optional) throw new Error(`${name}: Secret key ${sRef.key} missing`);
      } else env[e.name] = e.value ?? '';
    }
    const ports = local.get(name) ?? new Map<number, number>();
    for (const [k, v] of Object.entries(env)) {
      // The pod's own ports.
      if (/^\d+$/.test(v) && ports.has(Number(v)) && k.endsWith('PORT')) env[k] = String(ports.get(Number(v)));
      // Service DNS names: <service>:<service port> → the pod's local port behind it.
      const m = /^(https?:\/\/)([a-z0-9-]+)(?::(\d+))?(\/.*)?$/.exec(v);
      const svc = m && services.find((s) => s.metadata!.name === m[2]);
      if (m && svc) {
        const sp = svc.spec!.ports!.find((p) => p.port === Number(m[3] ?? 80))!;
        const target = deployments().find((d) => d.metadata!.name === svc.metadata!.name)!;
        const containerPort = containerOf(target).ports!.find((p) => p.name === sp.targetPort)!.containerPort;
        env[k] = `${m[1]}127.0.0.1:${local.get(target.metadata!.name!)!.get(containerPort)}${m[4] ?? ''}`;
      }
    }
    return env;
  }

  function start(name: string, c: IContainer): void {
    const [cmd, ...args] = c.command!;
    expect(cmd).toBe('node');
    const child = spawn(process.execPath, args, { cwd: root, env: { PATH: process.env.PATH ?? '', ...envOf(name, c) }, stdio: ['ignore', 'ignore', 'pipe'] });
    const entry: { child: ChildProcess; exit?: string; stderr: string } = { child, stderr: '' };
    child.stderr!.on('data', (d: Buffer) => (entry.stderr = (entry.stderr + d.toString()).slice(-4000)));
    child.on('exit', (code, signal) => (entry.exit = `exited (${code ?? signal}): ${entry.stderr}`));
    procs.set(name, entry);
  }

  beforeAll(async () => {
    db = await scratchDatabase('k8s_topology');
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    secret = {
      DATABASE_URL: db.url,
      REDIS_URL: testEnv().redisUrl,
      HANDOFF_INTERNAL_SECRET: randomBytes(32).toString('hex'),
      HANDOFF_ADMIN_KEY: `hk_adm_${randomBytes(24).toString('hex')}`,
      HANDOFF_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      PSP_SANDBOX_ADMIN_KEY: randomBytes(32).toString('hex'),
      METRICS_TOKEN: randomBytes(16).toString('hex'),
      AAP_SIGNING_KEY: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      AAP_PUBLIC_KEYS: JSON.stringify({ k1: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') }),
    };
    // Values a user would set: their own queue prefix, a quiet log. Small pools: ten processes share the test's PostgreSQL.
    rendered = renderKubernetes(resolveValues([{ config: { QUEUE_PREFIX: queuePrefix, LOG_LEVEL: 'warn', DB_POOL_SIZE: '3' } }]));
    for (const d of deployments()) {
      const ports = new Map<number, number>();
      for (const p of containerOf(d).ports ?? []) ports.set(p.containerPort, await freePort());
      local.set(d.metadata!.name!, ports);
    }
    const job = rendered.migrate.find((m) => m.kind === 'Job') as IJob;
    start('migrate', containerOf(job));
    const migrate = procs.get('migrate')!;
    await new Promise<void>((resolve, reject) => {
      migrate.child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`migrations Job failed (${code}): ${migrate.stderr}`))));
    });
    procs.delete('migrate');
    for (const d of deployments()) start(d.metadata!.name!, containerOf(d));
  }, 300_000);

  afterAll(async () => {
    await Promise.all(
      [...procs.values()].map(
        ({ child, exit }) =>
          new Promise<void>((resolve) => {
            if (exit !== undefined || child.exitCode !== null) return resolve();
            const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
            child.once('exit', () => (clearTimeout(kill), resolve()));
            child.kill('SIGTERM');
          }),
      ),
    );
    await db?.drop();
  }, 60_000);

  it('every server answers its startup, liveness and readiness probes on its rendered port; the gateway is ready, so every worker beats', { timeout: 480_000 }, async () => {
    // The subgraphs and the sandbox first, the gateway last: its readiness needs them and the workers.
    const servers = deployments()
      .filter((d) => containerOf(d).readinessProbe)
      .sort((a, b) => Number(a.metadata!.name === 'handoff-gateway') - Number(b.metadata!.name === 'handoff-gateway'));
    expect(servers.map((d) => d.metadata!.name).sort()).toEqual(
      ['handoff-gateway', 'handoff-merchant', 'handoff-checkout-session', 'handoff-payment-intent', 'handoff-conversion-ledger', 'handoff-psp-sandbox'].sort(),
    );
    for (const d of servers) {
      const name = d.metadata!.name!;
      const c = containerOf(d);
      const port = (named: string | number) => local.get(name)!.get(c.ports!.find((p) => p.name === named)!.containerPort)!;
      for (const probe of [c.startupProbe!, c.livenessProbe!, c.readinessProbe!]) {
        const url = `http://127.0.0.1:${port(probe.httpGet!.port!)}${probe.httpGet!.path}`;
        await waitFor(`${name} ${probe.httpGet!.path}`, async () => (await status(url)) === 200, 300_000, () => procs.get(name)!.exit);
      }
    }
    for (const [name, p] of procs) expect(p.exit, `${name} stopped`).toBeUndefined();
  });

  it('serves /metrics on the gateway’s metrics port, with METRICS_TOKEN', { timeout: 60_000 }, async () => {
    const gw = deployments().find((d) => d.metadata!.name === 'handoff-gateway')!;
    const metricsPort = local.get('handoff-gateway')!.get(containerOf(gw).ports!.find((p) => p.name === 'metrics')!.containerPort)!;
    await waitFor('gateway /metrics', async () => (await status(`http://127.0.0.1:${metricsPort}/metrics`, { authorization: `Bearer ${secret.METRICS_TOKEN}` })) === 200, 30_000, () => procs.get('handoff-gateway')!.exit);
    expect(await status(`http://127.0.0.1:${metricsPort}/metrics`)).toBe(401);
  });
});
