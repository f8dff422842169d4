// Renders a Handoff for Kubernetes in two parts, applied in order (README.md, "Kubernetes"):
//   migrate: ServiceAccount, ConfigMap, the migrations Job. Apply, then wait for the Job.
//   app:     the Deployments, Services, HPAs, PDBs (and Ingress) of every process.
// The Job is not a Helm hook here, so the order is the operator's (or CI's) two applies with a
// `kubectl wait` between them; Deployments that started first would still be safe (every
// process migrates at start under an advisory lock) but would run new code on an old schema.
import { stringify } from 'yaml';
import { autoscaler, configMap, deployment, disruptionBudget, ingress, type Manifest, migrationJob, service, serviceAccount } from './manifests.js';
import { migrationProcess, processes, PSP_SANDBOX_PORT, SUBGRAPH_PORTS } from './processes.js';
import { SUBGRAPHS, type SubgraphName, type Values, ValuesError } from './values.js';

export interface Rendered {
  migrate: Manifest[];
  app: Manifest[];
  /** The Job to wait for between the two applies. */
  migrationJob: string;
}

export function renderKubernetes(values: Values): Rendered {
  // A `config` key no process reads would sit in the ConfigMap doing nothing: refuse it.
  const read = new Set([...processes(values), migrationProcess(values)].flatMap((p) => p.configKeys));
  const unread = Object.keys(values.config).filter((k) => !read.has(k));
  if (unread.length) {
    throw new ValuesError(unread.map((k) => `config.${k}: no process reads it from the ConfigMap (it holds ${[...read].sort().join(', ')}); set it in extraEnv or a process's env`));
  }
  const job = migrationJob(values, migrationProcess(values));
  const migrate: Manifest[] = [serviceAccount(values), configMap(values), job];
  const app: Manifest[] = [];
  for (const p of processes(values)) {
    if (p.kind === 'gateway') {
      const g = values.gateway;
      app.push(deployment(values, p, { replicas: g.autoscaling.enabled ? undefined : g.replicas, resources: g.resources }));
      app.push(service(values, p, g.service.port, g.service.type));
      if (g.autoscaling.enabled) app.push(autoscaler(values, p, g.autoscaling));
      app.push(disruptionBudget(values, p, g.pdb));
      if (g.ingress.enabled) app.push(ingress(values));
    } else if (p.kind === 'subgraph') {
      const s = values.subgraphs[p.component as SubgraphName];
      app.push(deployment(values, p, { replicas: s.autoscaling.enabled ? undefined : s.replicas, resources: s.resources }));
      app.push(service(values, p, SUBGRAPH_PORTS[p.component as SubgraphName].port));
      if (s.autoscaling.enabled) app.push(autoscaler(values, p, s.autoscaling));
      app.push(disruptionBudget(values, p, s.pdb));
    } else if (p.kind === 'worker') {
      const name = SUBGRAPHS.find((s) => `${s}-worker` === p.component)!;
      const w = values.workers[name];
      app.push(deployment(values, p, { replicas: w.replicas, resources: w.resources }));
      if (w.replicas > 0) app.push(disruptionBudget(values, p, w.pdb));
    } else {
      // The sandbox PSP: one process (API and workers), rolled by Recreate; no PDB to block a drain.
      app.push(deployment(values, p, { replicas: 1, resources: values.pspSandbox.resources }));
      app.push(service(values, p, PSP_SANDBOX_PORT));
    }
  }
  return { migrate, app, migrationJob: job.metadata!.name! };
}

/** Multi-document YAML, as `kubectl apply -f` reads it. */
export function toYaml(manifests: Manifest[], header: string): string {
  const docs = manifests.map((m) => stringify(m, { lineWidth: 0, aliasDuplicateObjects: false }));
  return `${header
    .split('\n')
    .map((l) => `# ${l}`.trimEnd())
    .join('\n')}\n---\n${docs.join('---\n')}`;
}
