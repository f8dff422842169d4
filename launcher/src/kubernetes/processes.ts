// Handoff's processes on Kubernetes: docker-compose.yml's topology (one image, one command per
// process), each with the environment its src/config.ts reads: settings from the ConfigMap,
// secrets from the Secret, only the keys that process reads.
import { SUBGRAPHS, type SubgraphName, type Values } from './values.js';

/** Where each subgraph's server listens, and the variable that says so (its config.ts). */
export const SUBGRAPH_PORTS: Record<SubgraphName, { env: string; port: number; urlEnv: string }> = {
  merchant: { env: 'MERCHANT_PORT', port: 4001, urlEnv: 'MERCHANT_URL' },
  'checkout-session': { env: 'CHECKOUT_SESSION_PORT', port: 4002, urlEnv: 'CHECKOUT_SESSION_URL' },
  'payment-intent': { env: 'PAYMENT_INTENT_PORT', port: 4003, urlEnv: 'PAYMENT_INTENT_URL' },
  'conversion-ledger': { env: 'CONVERSION_LEDGER_PORT', port: 4004, urlEnv: 'CONVERSION_LEDGER_URL' },
};
export const GATEWAY_PORT = 4000;
export const GATEWAY_METRICS_PORT = 9464;
export const PSP_SANDBOX_PORT = 4010;

/** A variable taken from the Secret: `optional` ones may be absent from it. */
export interface SecretRef {
  key: string;
  optional?: boolean;
}

export interface ProcessSpec {
  /** Suffix of the object names: `gateway`, `merchant`, `merchant-worker`, `psp-sandbox`. */
  component: string;
  kind: 'gateway' | 'subgraph' | 'worker' | 'psp-sandbox';
  /** The package whose src/config.ts this process reads (e.g. subgraphs/merchant). */
  packageDir: string;
  command: string[];
  /** The port it listens on (servers); workers have none. */
  port?: number;
  /** ConfigMap keys it reads. */
  configKeys: string[];
  /** Literal values (ports, in-cluster URLs, per-process env from values). */
  env: Record<string, string>;
  secrets: SecretRef[];
}

/** Every secret key a Handoff may need, with who reads it (README.md's table says how to make each). */
export const SECRET_KEYS = [
  'DATABASE_URL',
  'DATABASE_READ_URL',
  'REDIS_URL',
  'HANDOFF_INTERNAL_SECRET',
  'HANDOFF_ADMIN_KEY',
  'HANDOFF_ENCRYPTION_KEY',
  'AAP_SIGNING_KEY',
  'AAP_PUBLIC_KEYS',
  'PSP_SANDBOX_ADMIN_KEY',
  'METRICS_TOKEN',
] as const;

/** The ConfigMap keys every Handoff process reads (shared/src/config/config.ts). */
export const BASE_CONFIG_KEYS = ['NODE_ENV', 'LOG_LEVEL', 'QUEUE_PREFIX', 'PUBLIC_BASE_URL', 'DB_POOL_SIZE', 'MERCHANT_URL', 'CHECKOUT_SESSION_URL', 'PAYMENT_INTENT_URL', 'CONVERSION_LEDGER_URL'];
const BASE_SECRETS: SecretRef[] = [{ key: 'DATABASE_URL' }, { key: 'REDIS_URL' }, { key: 'HANDOFF_INTERNAL_SECRET' }];

export const objectName = (values: Values, component: string) => `${values.name}-${component}`;

/** The ConfigMap's data: the values' settings plus what the topology decides (NODE_ENV, subgraph URLs). */
export function configMapData(values: Values): Record<string, string> {
  const urls = Object.fromEntries(
    SUBGRAPHS.map((s) => [SUBGRAPH_PORTS[s].urlEnv, `http://${objectName(values, s)}:${SUBGRAPH_PORTS[s].port}/graphql`]),
  );
  return {
    ...values.config,
    NODE_ENV: 'production',
    ...urls,
    ...(values.pspSandbox.enabled
      ? { PSP_SANDBOX_URL: `http://${objectName(values, 'psp-sandbox')}:${PSP_SANDBOX_PORT}` }
      : values.pspSandbox.url
        ? { PSP_SANDBOX_URL: values.pspSandbox.url }
        : {}),
  };
}

/**
 * BI reads on a streaming replica (shared/src/config/config.ts, readReplicaConfigSchema), in the
 * packages that have them: DATABASE_READ_URL from the Secret when it holds one (it carries a
 * password), its max lag from the ConfigMap when the values set it.
 */
const readReplicaNeeds = (values: Values) => ({
  configKeys: ['DATABASE_READ_MAX_LAG_SECONDS', 'DATABASE_READ_LAG_CHECK_MS'].filter((k) => k in values.config),
  secrets: [{ key: 'DATABASE_READ_URL', optional: true }],
});

/** What each package needs beyond the base: ConfigMap keys and secrets (its src/config.ts). */
function packageNeeds(values: Values, subgraph: SubgraphName): { configKeys: string[]; secrets: SecretRef[]; env: Record<string, string> } {
  switch (subgraph) {
    case 'merchant':
      return { configKeys: [], secrets: [{ key: 'HANDOFF_ENCRYPTION_KEY' }], env: {} };
    case 'checkout-session':
      return {
        configKeys: ['AAP_SIGNING_KEY_ID', ...readReplicaNeeds(values).configKeys],
        // AAP_PUBLIC_KEYS: attached attribution tokens verify with it (and across a rotation).
        secrets: [{ key: 'AAP_SIGNING_KEY' }, { key: 'AAP_PUBLIC_KEYS', optional: true }, ...readReplicaNeeds(values).secrets],
        env: {},
      };
    case 'payment-intent':
      return {
        configKeys: values.pspSandbox.enabled || values.pspSandbox.url ? ['PSP_SANDBOX_URL'] : [],
        secrets: [{ key: 'HANDOFF_ENCRYPTION_KEY' }, { key: 'PSP_SANDBOX_ADMIN_KEY', optional: !values.pspSandbox.enabled && !values.pspSandbox.url }],
        // As in docker-compose.yml: the sandbox PSP sends its webhooks to the gateway inside the
        // cluster (payment-intent sets each TEST merchant's sandbox account up with this origin).
        env: values.pspSandbox.enabled ? { PUBLIC_BASE_URL: `http://${objectName(values, 'gateway')}:${values.gateway.service.port}` } : {},
      };
    case 'conversion-ledger':
      return { configKeys: readReplicaNeeds(values).configKeys, secrets: [{ key: 'AAP_PUBLIC_KEYS' }, ...readReplicaNeeds(values).secrets], env: {} };
  }
}

/** Values' per-process env over the topology's literals; a key set there leaves the ConfigMap's and the Secret's. */
function withEnv(spec: ProcessSpec, extra: Record<string, string>): ProcessSpec {
  const env = { ...spec.env, ...extra };
  return { ...spec, env, configKeys: spec.configKeys.filter((k) => !(k in env)), secrets: spec.secrets.filter((s) => !(s.key in env)) };
}

/** secret.extraKeys, as optional refs, for a Handoff process (not the sandbox PSP). */
function withExtraSecrets(spec: ProcessSpec, values: Values): ProcessSpec {
  const have = new Set([...spec.secrets.map((s) => s.key), ...Object.keys(spec.env)]);
  const extra = values.secret.extraKeys.filter((k) => !have.has(k)).map((key) => ({ key, optional: true }));
  return { ...spec, secrets: [...spec.secrets, ...extra], configKeys: spec.configKeys.filter((k) => !values.secret.extraKeys.includes(k)) };
}

/**
 * The gateway's readiness waits for every package's worker heartbeat (READINESS_WORKERS=all):
 * a package whose workers are scaled to zero would keep it unready for ever, so it is left out.
 */
function readinessWorkers(values: Values): Record<string, string> {
  const running = SUBGRAPHS.filter((s) => values.workers[s].replicas > 0);
  if (running.length === SUBGRAPHS.length) return {};
  return { READINESS_WORKERS: running.length ? running.join(',') : 'none' };
}

export function processes(values: Values): ProcessSpec[] {
  const gateway = withEnv(
    {
      component: 'gateway',
      kind: 'gateway',
      packageDir: 'gateway',
      command: ['node', 'gateway/dist/main.js'],
      port: GATEWAY_PORT,
      configKeys: BASE_CONFIG_KEYS,
      // /metrics on its own listener, reachable by a scraper in the cluster (not through the Service's http port).
      env: { PORT: String(GATEWAY_PORT), METRICS_HOST: '0.0.0.0', METRICS_PORT: String(GATEWAY_METRICS_PORT), ...readinessWorkers(values) },
      secrets: [...BASE_SECRETS, { key: 'HANDOFF_ADMIN_KEY' }, { key: 'METRICS_TOKEN', optional: true }],
    },
    { ...values.extraEnv, ...values.gateway.env },
  );
  const out: ProcessSpec[] = [withExtraSecrets(gateway, values)];
  for (const s of SUBGRAPHS) {
    const needs = packageNeeds(values, s);
    const base = { packageDir: `subgraphs/${s}`, configKeys: [...BASE_CONFIG_KEYS, ...needs.configKeys], secrets: [...BASE_SECRETS, ...needs.secrets] };
    const server = withEnv(
      {
        ...base,
        component: s,
        kind: 'subgraph',
        command: ['node', `subgraphs/${s}/dist/main.js`],
        port: SUBGRAPH_PORTS[s].port,
        env: { ...needs.env, [SUBGRAPH_PORTS[s].env]: String(SUBGRAPH_PORTS[s].port) },
      },
      { ...values.extraEnv, ...values.subgraphs[s].env },
    );
    const worker = withEnv(
      { ...base, component: `${s}-worker`, kind: 'worker', command: ['node', `subgraphs/${s}/dist/worker.js`], env: { ...needs.env } },
      { ...values.extraEnv, ...values.workers[s].env },
    );
    out.push(withExtraSecrets(server, values), withExtraSecrets(worker, values));
  }
  if (values.pspSandbox.enabled) {
    // An external system beside Handoff: none of Handoff's secrets (simulators/psp-sandbox/src/config.ts).
    out.push(
      withEnv(
        {
          component: 'psp-sandbox',
          kind: 'psp-sandbox',
          packageDir: 'simulators/psp-sandbox',
          command: ['node', 'simulators/psp-sandbox/dist/main.js'],
          port: PSP_SANDBOX_PORT,
          configKeys: ['NODE_ENV', 'LOG_LEVEL', 'QUEUE_PREFIX', 'DB_POOL_SIZE'],
          env: { PSP_SANDBOX_PORT: String(PSP_SANDBOX_PORT) },
          secrets: [{ key: 'DATABASE_URL' }, { key: 'REDIS_URL' }, { key: 'PSP_SANDBOX_ADMIN_KEY' }],
        },
        values.pspSandbox.env,
      ),
    );
  }
  return out;
}

/**
 * The migrations Job's process: `node launcher/dist/migrate.js` loads every subgraph's config
 * (launcher/src/migrate.ts), so it gets the union of their settings and secrets.
 */
export function migrationProcess(values: Values): ProcessSpec {
  const subgraphs = processes(values).filter((p) => p.kind === 'subgraph');
  const configKeys = [...new Set(subgraphs.flatMap((p) => p.configKeys))];
  const secrets = new Map<string, SecretRef>();
  for (const ref of subgraphs.flatMap((p) => p.secrets)) {
    const seen = secrets.get(ref.key);
    secrets.set(ref.key, { key: ref.key, optional: Boolean(seen ? seen.optional && ref.optional : ref.optional) || undefined });
  }
  return withEnv(
    { component: 'migrate', kind: 'worker', packageDir: 'launcher', command: ['node', 'launcher/dist/migrate.js'], configKeys, env: {}, secrets: [...secrets.values()] },
    values.extraEnv,
  );
}
