// The values of deploy/kubernetes/: the committed defaults (values.yaml) with a user's files
// merged over them. A key the defaults do not have is refused (a typo must not fall back to a
// default silently), except inside the free-form maps listed in FREE_FORM.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { IPodSecurityContext, IToleration } from 'kubernetes-models/v1';
import { parse as parseYaml } from 'yaml';

export const DEFAULT_VALUES_FILE = fileURLToPath(new URL('../../../deploy/kubernetes/values.yaml', import.meta.url));

export const SUBGRAPHS = ['merchant', 'checkout-session', 'payment-intent', 'conversion-ledger'] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number];

export interface Resources {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

export interface Autoscaling {
  enabled: boolean;
  minReplicas: number;
  maxReplicas: number;
  targetCPUUtilizationPercentage: number;
}

/** minAvailable or maxUnavailable: a count or a percentage. */
export type Disruption = { minAvailable?: number | string; maxUnavailable?: number | string };

export interface ServerValues {
  replicas: number;
  autoscaling: Autoscaling;
  pdb: Disruption;
  resources: Resources;
  env: Record<string, string>;
}

export interface WorkerValues {
  replicas: number;
  pdb: Disruption;
  resources: Resources;
  env: Record<string, string>;
}

export interface Values {
  namespace: string;
  name: string;
  image: { repository: string; tag: string; pullPolicy: 'Always' | 'IfNotPresent' | 'Never'; pullSecrets: string[] };
  secret: { name: string; revision: string; extraKeys: string[] };
  config: Record<string, string>;
  extraEnv: Record<string, string>;
  podSecurityContext: IPodSecurityContext;
  nodeSelector: Record<string, string>;
  tolerations: IToleration[];
  gateway: ServerValues & {
    service: { type: 'ClusterIP' | 'NodePort' | 'LoadBalancer'; port: number };
    ingress: { enabled: boolean; className: string; host: string; tlsSecretName: string; annotations: Record<string, string> };
  };
  subgraphs: Record<SubgraphName, ServerValues>;
  workers: Record<SubgraphName, WorkerValues>;
  pspSandbox: { enabled: boolean; url: string; resources: Resources; env: Record<string, string> };
  migrations: { backoffLimit: number; activeDeadlineSeconds: number; ttlSecondsAfterFinished: number; resources: Resources };
}

export class ValuesError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid values:\n  ${issues.join('\n  ')}`);
    this.name = 'ValuesError';
  }
}

/** Paths (dot-joined, `*` for any key) whose maps take any key: environment, labels, resources. */
const FREE_FORM = [
  'config',
  'extraEnv',
  'podSecurityContext',
  'nodeSelector',
  'tolerations',
  'image.pullSecrets',
  'secret.extraKeys',
  'gateway.env',
  'gateway.resources',
  'gateway.pdb',
  'gateway.ingress.annotations',
  'subgraphs.*.env',
  'subgraphs.*.resources',
  'subgraphs.*.pdb',
  'workers.*.env',
  'workers.*.resources',
  'workers.*.pdb',
  'pspSandbox.env',
  'pspSandbox.resources',
  'migrations.resources',
];

const isFreeForm = (path: string[]) =>
  FREE_FORM.some((pattern) => {
    const parts = pattern.split('.');
    return parts.length <= path.length && parts.every((p, i) => p === '*' || p === path[i]);
  });

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `over` merged onto `base`; unknown keys outside the free-form maps are collected as issues. */
function merge(base: unknown, over: unknown, path: string[], issues: string[]): unknown {
  if (over === undefined) return base;
  if (isFreeForm(path)) {
    // A free-form map replaces per key (env: {A: x} adds A); lists and scalars replace whole.
    return isMap(base) && isMap(over) ? { ...base, ...over } : over;
  }
  if (isMap(base)) {
    if (!isMap(over)) {
      issues.push(`${path.join('.') || '(root)'}: expected a map`);
      return base;
    }
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(over)) {
      if (!(key in base)) {
        issues.push(`${[...path, key].join('.')}: unknown key (deploy/kubernetes/values.yaml has no such setting)`);
        continue;
      }
      out[key] = merge(base[key], value, [...path, key], issues);
    }
    return out;
  }
  if (base !== null && base !== undefined && typeof over !== typeof base) {
    issues.push(`${path.join('.')}: expected a ${typeof base}, got ${JSON.stringify(over)}`);
    return base;
  }
  return over;
}

/**
 * The fields Kubernetes knows in the free-form objects passed through to the manifests. Its
 * schemas allow unknown fields (the API server drops them), so a misspelt `runAsNonroot` would
 * otherwise vanish silently.
 */
const KNOWN_FIELDS: Record<string, string[]> = {
  resources: ['requests', 'limits', 'claims'],
  pdb: ['minAvailable', 'maxUnavailable', 'unhealthyPodEvictionPolicy'],
  toleration: ['key', 'operator', 'value', 'effect', 'tolerationSeconds'],
  podSecurityContext: [
    'appArmorProfile',
    'fsGroup',
    'fsGroupChangePolicy',
    'runAsGroup',
    'runAsNonRoot',
    'runAsUser',
    'seLinuxChangePolicy',
    'seLinuxOptions',
    'seccompProfile',
    'supplementalGroups',
    'supplementalGroupsPolicy',
    'sysctls',
    'windowsOptions',
  ],
};

function unknownFields(path: string, value: unknown, kind: keyof typeof KNOWN_FIELDS): string[] {
  if (!isMap(value)) return [`${path}: expected a map`];
  return Object.keys(value)
    .filter((k) => !KNOWN_FIELDS[kind]!.includes(k))
    .map((k) => `${path}.${k}: not a field of ${kind} (${KNOWN_FIELDS[kind]!.join(', ')})`);
}

/** What is checked beyond shape: names Kubernetes accepts, env maps of strings, sane replica bounds. */
function check(values: Values): string[] {
  const issues: string[] = [];
  issues.push(...unknownFields('podSecurityContext', values.podSecurityContext, 'podSecurityContext'));
  values.tolerations.forEach((t, i) => issues.push(...unknownFields(`tolerations[${i}]`, t, 'toleration')));
  const parts: Array<[string, { resources: unknown; pdb?: unknown }]> = [
    ['gateway', values.gateway],
    ['pspSandbox', values.pspSandbox],
    ['migrations', values.migrations],
    ...SUBGRAPHS.flatMap((s) => [[`subgraphs.${s}`, values.subgraphs[s]], [`workers.${s}`, values.workers[s]]] as Array<[string, { resources: unknown; pdb?: unknown }]>),
  ];
  for (const [path, part] of parts) {
    issues.push(...unknownFields(`${path}.resources`, part.resources, 'resources'));
    if (part.pdb !== undefined) issues.push(...unknownFields(`${path}.pdb`, part.pdb, 'pdb'));
  }
  const dns = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
  if (!dns.test(values.namespace) || values.namespace.length > 63) issues.push(`namespace: not a DNS label: ${values.namespace}`);
  if (!dns.test(values.name) || values.name.length > 30) issues.push(`name: a DNS label of at most 30 characters: ${values.name}`);
  if (!dns.test(values.secret.name)) issues.push(`secret.name: not a DNS name: ${values.secret.name}`);
  if (!/^[\w][\w.-]{0,127}$/.test(values.image.tag)) issues.push(`image.tag: not an image tag: ${values.image.tag}`);
  const envMaps: Array<[string, Record<string, unknown>]> = [
    ['config', values.config],
    ['extraEnv', values.extraEnv],
    ['gateway.env', values.gateway.env],
    ['pspSandbox.env', values.pspSandbox.env],
    ...SUBGRAPHS.flatMap((s) => [
      [`subgraphs.${s}.env`, values.subgraphs[s].env] as [string, Record<string, unknown>],
      [`workers.${s}.env`, values.workers[s].env] as [string, Record<string, unknown>],
    ]),
  ];
  for (const [path, env] of envMaps) {
    for (const [k, v] of Object.entries(env ?? {})) {
      if (!/^[A-Z_][A-Z0-9_]*$/.test(k)) issues.push(`${path}.${k}: not an environment variable name`);
      if (typeof v !== 'string') issues.push(`${path}.${k}: must be a string (quote numbers and booleans)`);
    }
  }
  for (const key of values.secret.extraKeys ?? []) {
    if (typeof key !== 'string' || !/^[A-Z_][A-Z0-9_]*$/.test(key)) issues.push(`secret.extraKeys: ${JSON.stringify(key)} is not an environment variable name`);
  }
  const servers: Array<[string, ServerValues]> = [['gateway', values.gateway], ...SUBGRAPHS.map((s) => [`subgraphs.${s}`, values.subgraphs[s]] as [string, ServerValues])];
  for (const [path, s] of servers) {
    const a = s.autoscaling;
    if (!Number.isInteger(s.replicas) || s.replicas < 1) issues.push(`${path}.replicas: a whole number ≥ 1`);
    if (a.enabled && !(Number.isInteger(a.minReplicas) && a.minReplicas >= 1 && a.maxReplicas >= a.minReplicas)) {
      issues.push(`${path}.autoscaling: 1 ≤ minReplicas ≤ maxReplicas`);
    }
  }
  if (values.pspSandbox.url && (values.pspSandbox.enabled || !/^https?:\/\/[^/]+/.test(values.pspSandbox.url))) {
    issues.push('pspSandbox.url: an http(s) URL, and only with pspSandbox.enabled false (enabled, the sandbox is in the cluster)');
  }
  for (const s of SUBGRAPHS) {
    if (!Number.isInteger(values.workers[s].replicas) || values.workers[s].replicas < 0) issues.push(`workers.${s}.replicas: a whole number ≥ 0`);
  }
  return issues;
}

/** The defaults with each override merged over them in order; throws a ValuesError naming every problem. */
export function resolveValues(overrides: unknown[] = [], defaults: unknown = parseYaml(readFileSync(DEFAULT_VALUES_FILE, 'utf8'))): Values {
  const issues: string[] = [];
  let values = defaults;
  for (const over of overrides) values = merge(values, over ?? {}, [], issues);
  if (issues.length) throw new ValuesError(issues);
  const more = check(values as Values);
  if (more.length) throw new ValuesError(more);
  return values as Values;
}

/** Values files (YAML) by path, merged over the defaults in the order given. */
export function loadValuesFiles(files: string[]): Values {
  return resolveValues(files.map((f) => parseYaml(readFileSync(f, 'utf8')) as unknown));
}
