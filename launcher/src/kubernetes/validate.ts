// Kubernetes' own schemas (the OpenAPI definitions kubernetes-models compiles into validators):
// every rendered object is checked offline, by `npm run k8s:render` before it writes anything and
// by launcher/src/kubernetes.spec.ts in `npm test`. An object of a kind not listed is an error.
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';

type ModelClass = { apiVersion: string; kind: string } & (new (data: never) => { validate(): void });

const MODELS: ModelClass[] = [Deployment, HorizontalPodAutoscaler, Job, Ingress, PodDisruptionBudget, ConfigMap, Secret, Service, ServiceAccount] as unknown as ModelClass[];

/** The problems of one object against its kind's schema; empty when it is valid. */
export function schemaErrors(object: unknown): string[] {
  const o = object as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  const what = `${String(o?.kind)} ${String(o?.metadata?.name)}`;
  const Model = MODELS.find((m) => m.apiVersion === o?.apiVersion && m.kind === o?.kind);
  if (!Model) return [`${what}: no schema for apiVersion ${String(o?.apiVersion)}, kind ${String(o?.kind)}`];
  try {
    new Model(object as never).validate();
    return [];
  } catch (err) {
    return [`${what}: ${err instanceof Error ? err.message : String(err)}`];
  }
}

/** Throws naming every invalid object. */
export function assertValidManifests(objects: unknown[]): void {
  const errors = objects.flatMap(schemaErrors);
  if (errors.length) throw new Error(`Invalid Kubernetes objects:\n  ${errors.join('\n  ')}`);
}
