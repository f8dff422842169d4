// The Kubernetes objects of one Handoff, built from its values and processes (processes.ts).
// Typed with kubernetes-models' interfaces, so a misspelt field fails `npm run build`; the
// rendered objects are also checked against Kubernetes' schemas in kubernetes.spec.ts.
import { createHash } from 'node:crypto';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { IJob } from 'kubernetes-models/batch/v1';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IConfigMap, IContainer, IEnvVar, IPodSpec, IProbe, IService, IServiceAccount } from 'kubernetes-models/v1';
import { configMapData, GATEWAY_METRICS_PORT, objectName, type ProcessSpec } from './processes.js';
import type { Autoscaling, Disruption, Resources, Values } from './values.js';

export type Manifest = IServiceAccount | IConfigMap | IJob | IDeployment | IService | IHorizontalPodAutoscaler | IPodDisruptionBudget | IIngress;

const PART_OF = 'handoff';

function labels(values: Values, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': PART_OF,
    'app.kubernetes.io/instance': values.name,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/version': values.image.tag,
    'app.kubernetes.io/managed-by': 'handoff-k8s-render',
  };
}

/** What a Deployment selects on: never the version (a selector is immutable). */
export function selector(values: Values, component: string): Record<string, string> {
  return { 'app.kubernetes.io/instance': values.name, 'app.kubernetes.io/component': component };
}

const meta = (values: Values, component: string, name = objectName(values, component)) => ({ name, namespace: values.namespace, labels: labels(values, component) });

export const configMapName = (values: Values) => objectName(values, 'config');
export const serviceAccountName = (values: Values) => objectName(values, 'app');

export function serviceAccount(values: Values): IServiceAccount {
  // Handoff calls no Kubernetes API: no token is mounted in its pods.
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(values, 'app'), automountServiceAccountToken: false };
}

export function configMap(values: Values): IConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(values, 'config'), data: configMapData(values) };
}

function envOf(values: Values, p: ProcessSpec): IEnvVar[] {
  const fromConfig: IEnvVar[] = p.configKeys.map((key) => ({ name: key, valueFrom: { configMapKeyRef: { name: configMapName(values), key } } }));
  const fromSecret: IEnvVar[] = p.secrets.map(({ key, optional }) => ({
    name: key,
    valueFrom: { secretKeyRef: { name: values.secret.name, key, ...(optional ? { optional: true } : {}) } },
  }));
  const literal: IEnvVar[] = Object.entries(p.env).map(([name, value]) => ({ name, value }));
  return [...fromConfig, ...fromSecret, ...literal];
}

function httpProbe(path: string, period: number, failureThreshold: number): IProbe {
  return { httpGet: { path, port: 'http' }, periodSeconds: period, timeoutSeconds: 3, failureThreshold };
}

function container(values: Values, p: ProcessSpec, resources: Resources): IContainer {
  const c: IContainer = {
    name: p.component,
    image: `${values.image.repository}:${values.image.tag}`,
    imagePullPolicy: values.image.pullPolicy,
    command: p.command,
    env: envOf(values, p),
    resources,
    securityContext: {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
  if (p.port !== undefined) {
    c.ports = [{ name: 'http', containerPort: p.port, protocol: 'TCP' }];
    if (p.kind === 'gateway') c.ports.push({ name: 'metrics', containerPort: GATEWAY_METRICS_PORT, protocol: 'TCP' });
    // Start-up migrates (a no-op after the Job) and waits for PostgreSQL: up to 2 minutes before
    // liveness counts. Liveness is the process answering at all; readiness names dependencies
    // (a subgraph's database and Redis; the gateway's subgraphs and worker heartbeats).
    c.startupProbe = httpProbe('/health/live', 2, 60);
    c.livenessProbe = httpProbe('/health/live', 10, 3);
    c.readinessProbe = httpProbe('/health/ready', 5, 2);
    // Leave the Service's endpoints before the process stops taking connections (the image
    // has coreutils' sleep; the `sleep` action would need Kubernetes ≥ 1.30).
    c.lifecycle = { preStop: { exec: { command: ['sleep', '5'] } } };
  }
  return c;
}

function podSpec(values: Values, p: ProcessSpec, resources: Resources, restartPolicy: 'Always' | 'OnFailure' | 'Never' = 'Always'): IPodSpec {
  return {
    serviceAccountName: serviceAccountName(values),
    automountServiceAccountToken: false,
    securityContext: values.podSecurityContext,
    // A process drains on SIGTERM (shared/src/http/main.ts); docker-compose.yml gives 20 s.
    terminationGracePeriodSeconds: 30,
    restartPolicy,
    containers: [container(values, p, resources)],
    volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
    ...(values.image.pullSecrets.length ? { imagePullSecrets: values.image.pullSecrets.map((name) => ({ name })) } : {}),
    ...(Object.keys(values.nodeSelector).length ? { nodeSelector: values.nodeSelector } : {}),
    ...(values.tolerations.length ? { tolerations: values.tolerations } : {}),
  };
}

/** Rolls every pod when the ConfigMap or the Secret's revision changes. */
function podAnnotations(values: Values, p: ProcessSpec): Record<string, string> {
  const checksum = createHash('sha256').update(JSON.stringify(configMapData(values))).digest('hex');
  const out: Record<string, string> = { 'handoff.dev/config-checksum': checksum, 'handoff.dev/secret-revision': values.secret.revision };
  if (p.kind === 'subgraph' || p.kind === 'psp-sandbox') {
    Object.assign(out, { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(p.port), 'prometheus.io/path': '/metrics' });
  } else if (p.kind === 'gateway') {
    Object.assign(out, { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(GATEWAY_METRICS_PORT), 'prometheus.io/path': '/metrics' });
  }
  return out;
}

export function deployment(values: Values, p: ProcessSpec, opts: { replicas?: number; resources: Resources }): IDeployment {
  const sel = selector(values, p.component);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(values, p.component),
    spec: {
      // Absent under an HPA: the autoscaler owns the count, and an apply must not reset it.
      ...(opts.replicas !== undefined ? { replicas: opts.replicas } : {}),
      revisionHistoryLimit: 5,
      selector: { matchLabels: sel },
      strategy: p.kind === 'psp-sandbox' ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: labels(values, p.component), annotations: podAnnotations(values, p) },
        spec: {
          ...podSpec(values, p, opts.resources),
          // Replicas on different nodes where possible: one node's loss is not the service's.
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: sel } }],
        },
      },
    },
  };
}

export function service(values: Values, p: ProcessSpec, port: number, type: Values['gateway']['service']['type'] = 'ClusterIP'): IService {
  const ports: NonNullable<IService['spec']>['ports'] = [{ name: 'http', port, targetPort: 'http', protocol: 'TCP' }];
  if (p.kind === 'gateway') ports.push({ name: 'metrics', port: GATEWAY_METRICS_PORT, targetPort: 'metrics', protocol: 'TCP' });
  return { apiVersion: 'v1', kind: 'Service', metadata: meta(values, p.component), spec: { type, selector: selector(values, p.component), ports } };
}

export function autoscaler(values: Values, p: ProcessSpec, a: Autoscaling): IHorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta(values, p.component),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: objectName(values, p.component) },
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.targetCPUUtilizationPercentage } } }],
      // Up at once, down slowly: a burst of checkouts should not flap replicas.
      behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] } },
    },
  };
}

export function disruptionBudget(values: Values, p: ProcessSpec, d: Disruption): IPodDisruptionBudget {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta(values, p.component), spec: { ...d, selector: { matchLabels: selector(values, p.component) } } };
}

/**
 * The migrations Job: named after the image tag and a hash of its pod (image, command, env refs,
 * resources), so each release runs its own once, and a changed Job is a new one (a Job's pod
 * template is immutable: applying a changed one under the same name would be refused).
 */
export function migrationJob(values: Values, p: ProcessSpec): IJob {
  const m = values.migrations;
  const template = { metadata: { labels: labels(values, 'migrate') }, spec: podSpec(values, p, m.resources, 'Never') };
  const tag = values.image.tag.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  const hash = createHash('sha256').update(JSON.stringify(template)).digest('hex').slice(0, 8);
  const prefix = objectName(values, 'migrate');
  // At most 63 characters: the Job's name becomes its pods' job-name label.
  const name = `${prefix}-${tag.slice(0, Math.max(0, 63 - prefix.length - 10))}`.replace(/-+$/, '') + `-${hash}`;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(values, 'migrate', name.replace(/--+/g, '-')),
    spec: { backoffLimit: m.backoffLimit, activeDeadlineSeconds: m.activeDeadlineSeconds, ttlSecondsAfterFinished: m.ttlSecondsAfterFinished, template },
  };
}

export function ingress(values: Values): IIngress {
  const i = values.gateway.ingress;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { ...meta(values, 'gateway'), ...(Object.keys(i.annotations).length ? { annotations: i.annotations } : {}) },
    spec: {
      ...(i.className ? { ingressClassName: i.className } : {}),
      ...(i.tlsSecretName ? { tls: [{ hosts: [i.host], secretName: i.tlsSecretName }] } : {}),
      rules: [
        {
          host: i.host,
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: objectName(values, 'gateway'), port: { name: 'http' } } } }] },
        },
      ],
    },
  };
}
