// deploy/kubernetes/ rendered and checked against Kubernetes' schemas (kubernetes-models'
// validators, offline), and the objects' wiring: what selects what, probes, autoscalers,
// disruption budgets, security, the migrations Job. No cluster runs here: this keeps the
// manifests true to Kubernetes and to the code. The environment each process gets is checked
// against its config.ts in kubernetes-env.spec.ts.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { IJob } from 'kubernetes-models/batch/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IConfigMap, IPodSpec, IService } from 'kubernetes-models/v1';
import { renderToDirectory } from './k8s-render.js';
import type { Manifest } from './kubernetes/manifests.js';
import { renderKubernetes, toYaml } from './kubernetes/render.js';
import { assertValidManifests, schemaErrors } from './kubernetes/validate.js';
import { resolveValues, ValuesError } from './kubernetes/values.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(path.join(tmpdir(), 'handoff-k8s-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const defaults = renderKubernetes(resolveValues());
const all = (r = defaults): Manifest[] => [...r.migrate, ...r.app];
const ofKind = <T>(kind: string, r = defaults) => all(r).filter((m) => m.kind === kind) as T[];
const clone = <T>(o: T): T => structuredClone(o);
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) => Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Other shapes users render: ingress on, HPAs off, no sandbox PSP, workers scaled to zero. */
const variants = {
  defaults: {},
  'ingress, no autoscaling': {
    gateway: { autoscaling: { enabled: false }, ingress: { enabled: true, className: 'nginx', tlsSecretName: 'handoff-tls', annotations: { 'cert-manager.io/cluster-issuer': 'le' } } },
    subgraphs: { merchant: { autoscaling: { enabled: false }, replicas: 3 } },
    image: { repository: 'registry.example.com/handoff', tag: '2026.12.06-rc.1', pullSecrets: ['regcred'] },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'handoff', effect: 'NoSchedule' }],
    nodeSelector: { pool: 'apps' },
  },
  'no sandbox PSP, a worker at zero': { pspSandbox: { enabled: false }, workers: { 'conversion-ledger': { replicas: 0 } }, extraEnv: { OTEL_SERVICE_NAME: 'handoff' } },
};

describe('deploy/kubernetes against Kubernetes schemas', () => {
  it.each(Object.entries(variants))('%s: every rendered object is valid for its kind', (_name, over) => {
    const rendered = renderKubernetes(resolveValues([over]));
    expect(all(rendered).flatMap(schemaErrors)).toEqual([]);
    expect(() => assertValidManifests(all(rendered))).not.toThrow();
  });

  it('writes YAML that reads back as the same objects, two files applied in order', () => {
    const { files, commands } = renderToDirectory([], path.join(scratch, 'out'));
    expect(files.map((f) => path.basename(f))).toEqual(['1-migrate.yaml', '2-handoff.yaml']);
    const [migrate, app] = files.map((f) => parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS()));
    expect(migrate).toEqual(defaults.migrate);
    expect(app).toEqual(defaults.app);
    expect(commands[1]).toContain(`job/${defaults.migrationJob}`);
    expect(commands.map((c) => c.split(' ')[1])).toEqual(['apply', 'wait', 'apply', 'rollout']);
  });

  it('fails invalid objects (the check is real)', () => {
    const deployment = ofKind<IDeployment>('Deployment')[0]!;
    const badPort = clone(deployment);
    (badPort.spec!.template.spec!.containers[0]!.ports![0] as { containerPort: unknown }).containerPort = '4000';
    expect(schemaErrors(badPort).join()).toMatch(/containerPort must be integer/);
    const noSelector = clone(deployment);
    delete (noSelector.spec as { selector?: unknown }).selector;
    expect(schemaErrors(noSelector).join()).toMatch(/selector/);
    const noImageName = clone(deployment);
    delete (noImageName.spec!.template.spec!.containers[0] as { name?: string }).name;
    expect(schemaErrors(noImageName).join()).toMatch(/required property name/);
    const hpa = clone(ofKind<IHorizontalPodAutoscaler>('HorizontalPodAutoscaler')[0]!);
    delete (hpa.spec as { maxReplicas?: number }).maxReplicas;
    expect(schemaErrors(hpa).join()).toMatch(/maxReplicas/);
    const probe = clone(deployment);
    (probe.spec!.template.spec!.containers[0]!.readinessProbe!.httpGet as { port: unknown }).port = { name: 'http' };
    expect(schemaErrors(probe)).not.toEqual([]);
    // A kind or version Kubernetes no longer serves (autoscaling/v2beta2 went in 1.26).
    expect(schemaErrors({ ...hpa, apiVersion: 'autoscaling/v2beta2' }).join()).toMatch(/no schema/);
    expect(() => assertValidManifests([deployment, badPort])).toThrow(/Invalid Kubernetes objects/);
  });

  it('refuses values that render an invalid object, and writes nothing', () => {
    const file = path.join(scratch, 'bad-values.yaml');
    writeFileSync(file, 'gateway:\n  service:\n    type: Loadbalancer\n');
    const out = path.join(scratch, 'bad-out');
    expect(() => renderToDirectory([file], out)).toThrow(/Service handoff-gateway: .*type/);
    expect(() => readdirSync(out)).toThrow();
  });

  it('refuses unknown keys and wrongly typed values instead of falling back to defaults', () => {
    expect(() => resolveValues([{ gatway: { replicas: 3 } }])).toThrow(ValuesError);
    expect(() => resolveValues([{ gateway: { replicas: '3' } }])).toThrow(/gateway.replicas: expected a number/);
    expect(() => resolveValues([{ subgraphs: { merchant: { autoscaling: { maxReplica: 4 } } } }])).toThrow(/maxReplica: unknown key/);
    expect(() => resolveValues([{ config: { DB_POOL_SIZE: 10 } }])).toThrow(/must be a string/);
    expect(() => resolveValues([{ gateway: { env: { 'bad-name': 'x' } } }])).toThrow(/not an environment variable name/);
    expect(() => resolveValues([{ gateway: { autoscaling: { minReplicas: 5, maxReplicas: 2 } } }])).toThrow(/minReplicas ≤ maxReplicas/);
    // Objects passed through to Kubernetes: a misspelt field is refused, not dropped by the API server.
    expect(() => resolveValues([{ podSecurityContext: { runAsNonroot: true } }])).toThrow(/podSecurityContext.runAsNonroot: not a field/);
    expect(() => resolveValues([{ gateway: { resources: { request: { cpu: '1' } } } }])).toThrow(/gateway.resources.request: not a field/);
    expect(() => resolveValues([{ workers: { merchant: { pdb: { minAvaliable: 1 } } } }])).toThrow(/workers.merchant.pdb.minAvaliable/);
    expect(() => resolveValues([{ tolerations: [{ key: 'a', efect: 'NoSchedule' }] }])).toThrow(/tolerations\[0\].efect/);
    // Free-form maps take new keys; a ConfigMap key that no process would read is refused at render.
    expect(resolveValues([{ gateway: { env: { MAX_DEPTH: '10' } } }]).gateway.env.MAX_DEPTH).toBe('10');
    expect(() => renderKubernetes(resolveValues([{ config: { WEBHOOK_MAX_IN_FLIGHT: '128' } }]))).toThrow(/config.WEBHOOK_MAX_IN_FLIGHT: no process reads it/);
  });
});

describe('deploy/kubernetes wiring', () => {
  const deployments = ofKind<IDeployment>('Deployment');
  const byComponent = (c: string) => deployments.find((d) => d.metadata!.labels!['app.kubernetes.io/component'] === c)!;
  const servers = ['gateway', 'merchant', 'checkout-session', 'payment-intent', 'conversion-ledger'];

  it('selects its own pods: Deployments, Services and PDBs each match exactly one Deployment', () => {
    for (const d of deployments) expect(matches(d.spec!.selector.matchLabels!, d.spec!.template.metadata!.labels)).toBe(true);
    const selectees = (sel: Record<string, string>) => deployments.filter((d) => matches(sel, d.spec!.template.metadata!.labels));
    for (const s of ofKind<IService>('Service')) {
      const [target, ...more] = selectees(s.spec!.selector!);
      expect(more, `${s.metadata!.name} selects several Deployments`).toEqual([]);
      const portNames = target!.spec!.template.spec!.containers[0]!.ports!.map((p) => p.name);
      for (const p of s.spec!.ports!) expect(portNames, `${s.metadata!.name} targets a port its pods name`).toContain(p.targetPort);
    }
    for (const pdb of ofKind<IPodDisruptionBudget>('PodDisruptionBudget')) expect(selectees(pdb.spec!.selector!.matchLabels!)).toHaveLength(1);
  });

  it('autoscales the gateway and the four subgraphs (autoscaling/v2, CPU) and lets the HPA own their replica counts', () => {
    const hpas = ofKind<IHorizontalPodAutoscaler>('HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.spec!.scaleTargetRef.name).sort()).toEqual(servers.map((s) => `handoff-${s}`).sort());
    for (const h of hpas) {
      const target = deployments.find((d) => d.metadata!.name === h.spec!.scaleTargetRef.name)!;
      expect(target.spec!.replicas, `${target.metadata!.name} sets replicas under an HPA`).toBeUndefined();
      expect(h.spec!.minReplicas).toBeGreaterThanOrEqual(2);
      // Utilization is of the CPU request: without one the HPA cannot act.
      expect(target.spec!.template.spec!.containers[0]!.resources!.requests!.cpu).toBeDefined();
    }
    const off = renderKubernetes(resolveValues([variants['ingress, no autoscaling']]));
    expect(ofKind<IDeployment>('Deployment', off).find((d) => d.metadata!.name === 'handoff-merchant')!.spec!.replicas).toBe(3);
    expect(ofKind<IHorizontalPodAutoscaler>('HorizontalPodAutoscaler', off).map((h) => h.spec!.scaleTargetRef.name)).not.toContain('handoff-gateway');
  });

  it('keeps one replica of each server through a voluntary disruption, and never blocks a drain on a single pod', () => {
    const pdbs = ofKind<IPodDisruptionBudget>('PodDisruptionBudget');
    for (const s of servers) expect(pdbs.find((p) => p.metadata!.name === `handoff-${s}`)?.spec?.minAvailable).toBe(1);
    for (const p of pdbs) {
      const d = byComponent(p.metadata!.labels!['app.kubernetes.io/component']!);
      const floor = d.spec!.replicas ?? ofKind<IHorizontalPodAutoscaler>('HorizontalPodAutoscaler').find((h) => h.spec!.scaleTargetRef.name === d.metadata!.name)!.spec!.minReplicas!;
      if (p.spec!.minAvailable !== undefined) expect(floor, `${p.metadata!.name} would block every eviction`).toBeGreaterThan(Number(p.spec!.minAvailable));
    }
  });

  it('probes each server on the port it listens on, at the health routes the code serves', () => {
    const sharedHealth = readFileSync(path.join(root, 'shared/src/http/health.ts'), 'utf8');
    const sandboxServer = readFileSync(path.join(root, 'simulators/psp-sandbox/src/http/server.ts'), 'utf8');
    for (const route of ['/health/live', '/health/ready']) {
      expect(sharedHealth).toContain(`'${route}'`);
      expect(sandboxServer).toContain(`'${route}'`);
    }
    for (const d of deployments) {
      const c = d.spec!.template.spec!.containers[0]!;
      if (!c.ports) {
        expect(c.command!.at(-1), `${d.metadata!.name} has no port, so it must be a worker`).toMatch(/\/dist\/worker\.js$/);
        continue;
      }
      const http = c.ports.find((p) => p.name === 'http')!;
      const portEnv = c.env!.find((e) => /(^|_)PORT$/.test(e.name) && e.name !== 'METRICS_PORT')!;
      expect(Number(portEnv.value), `${d.metadata!.name}: ${portEnv.name}`).toBe(http.containerPort);
      expect(c.livenessProbe!.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(c.startupProbe!.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(c.readinessProbe!.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    }
  });

  it('runs every pod as a non-root user on a read-only root filesystem, with requests and limits', () => {
    const pods: Array<[string, IPodSpec]> = [
      ...deployments.map((d) => [d.metadata!.name!, d.spec!.template.spec!] as [string, IPodSpec]),
      ...ofKind<IJob>('Job').map((j) => [j.metadata!.name!, j.spec!.template.spec!] as [string, IPodSpec]),
    ];
    for (const [name, pod] of pods) {
      expect(pod.securityContext?.runAsNonRoot, name).toBe(true);
      // The image's USER is `node` (a name): runAsNonRoot needs a numeric uid to verify it.
      expect(pod.securityContext?.runAsUser, name).toBeGreaterThan(0);
      expect(pod.automountServiceAccountToken, name).toBe(false);
      for (const c of pod.containers) {
        expect(c.securityContext, `${name}/${c.name}`).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
        expect(c.resources?.requests?.memory && c.resources?.limits?.memory, `${name}/${c.name} resources`).toBeTruthy();
        expect(c.volumeMounts?.map((v) => v.mountPath)).toContain('/tmp');
        expect(c.image).toBe('handoff:0.1.0');
      }
    }
    expect(readFileSync(path.join(root, 'Dockerfile'), 'utf8')).toMatch(/^USER node$/m);
  });

  it('migrates in a Job of part 1, before any Deployment of part 2, named per image so each release runs its own', () => {
    expect(defaults.migrate.map((m) => m.kind)).toEqual(['ServiceAccount', 'ConfigMap', 'Job']);
    expect(defaults.app.map((m) => m.kind)).not.toContain('Job');
    const job = ofKind<IJob>('Job')[0]!;
    expect(job.metadata!.name).toBe(defaults.migrationJob);
    const pod = job.spec!.template.spec!;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.containers[0]!.command).toEqual(['node', 'launcher/dist/migrate.js']);
    expect(readFileSync(path.join(root, 'launcher/src/migrate.ts'), 'utf8')).toMatch(/migrateAll/);
    expect(renderKubernetes(resolveValues()).migrationJob, 'the same values, the same Job').toBe(defaults.migrationJob);
    const next = renderKubernetes(resolveValues([{ image: { tag: '0.2.0' } }]));
    expect(next.migrationJob).toMatch(/^handoff-migrate-0-2-0-[0-9a-f]{8}$/);
    // A changed pod template is a new Job (its template is immutable).
    expect(renderKubernetes(resolveValues([{ migrations: { resources: { limits: { memory: '1Gi' } } } }])).migrationJob).not.toBe(defaults.migrationJob);
    const long = renderKubernetes(resolveValues([{ name: 'a'.repeat(30), image: { tag: `v${'9'.repeat(100)}` } }])).migrationJob;
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it('points the ConfigMap’s subgraph URLs at the subgraph Services, and rolls pods when the ConfigMap changes', () => {
    const data = ofKind<IConfigMap>('ConfigMap')[0]!.data!;
    const services = ofKind<IService>('Service');
    for (const key of ['MERCHANT_URL', 'CHECKOUT_SESSION_URL', 'PAYMENT_INTENT_URL', 'CONVERSION_LEDGER_URL', 'PSP_SANDBOX_URL']) {
      const url = new URL(data[key]!);
      const svc = services.find((s) => s.metadata!.name === url.hostname);
      expect(svc, `${key} → ${url.hostname}`).toBeDefined();
      expect(svc!.spec!.ports!.map((p) => p.port)).toContain(Number(url.port));
    }
    const checksum = (r: typeof defaults) => ofKind<IDeployment>('Deployment', r)[0]!.spec!.template.metadata!.annotations!['handoff.dev/config-checksum'];
    expect(checksum(renderKubernetes(resolveValues([{ config: { LOG_LEVEL: 'debug' } }])))).not.toBe(checksum(defaults));
  });

  it('leaves a package whose workers are scaled to zero out of the gateway’s readiness (else it is never ready)', () => {
    const readiness = (over: object) => {
      const gw = ofKind<IDeployment>('Deployment', renderKubernetes(resolveValues([over]))).find((d) => d.metadata!.name === 'handoff-gateway')!;
      return gw.spec!.template.spec!.containers[0]!.env!.find((e) => e.name === 'READINESS_WORKERS')?.value;
    };
    expect(readiness({})).toBeUndefined(); // the gateway's default: all
    expect(readiness({ workers: { 'conversion-ledger': { replicas: 0 } } })).toBe('merchant,checkout-session,payment-intent');
    const none = Object.fromEntries(['merchant', 'checkout-session', 'payment-intent', 'conversion-ledger'].map((s) => [s, { replicas: 0 }]));
    expect(readiness({ workers: none })).toBe('none');
  });

  it('gives secret.extraKeys to every Handoff process as optional refs, never to the sandbox PSP', () => {
    const r = renderKubernetes(resolveValues([{ secret: { extraKeys: ['OTEL_EXPORTER_OTLP_HEADERS'] } }]));
    expect(all(r).flatMap(schemaErrors)).toEqual([]);
    for (const d of [...ofKind<IDeployment>('Deployment', r), ...ofKind<IJob>('Job', r)]) {
      const ref = d.spec!.template.spec!.containers[0]!.env!.find((e) => e.name === 'OTEL_EXPORTER_OTLP_HEADERS')?.valueFrom?.secretKeyRef;
      if (d.metadata!.name === 'handoff-psp-sandbox') expect(ref).toBeUndefined();
      else expect(ref, d.metadata!.name).toEqual({ name: 'handoff-secrets', key: 'OTEL_EXPORTER_OTLP_HEADERS', optional: true });
    }
    expect(() => resolveValues([{ secret: { extraKeys: ['otel-headers'] } }])).toThrow(/not an environment variable name/);
  });

  it('renders the header as YAML comments', () => {
    expect(toYaml([], 'line one\nline two')).toBe('# line one\n# line two\n---\n');
  });
});
