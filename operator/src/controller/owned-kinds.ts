/** The kinds of objects a MailCluster owns and the operator watches (by its managed-by label). */
export const OWNED_KINDS = [
  { kind: 'ConfigMap', apiVersion: 'v1', plural: 'configmaps' },
  { kind: 'Service', apiVersion: 'v1', plural: 'services' },
  { kind: 'StatefulSet', apiVersion: 'apps/v1', plural: 'statefulsets' },
  { kind: 'Deployment', apiVersion: 'apps/v1', plural: 'deployments' },
  { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', plural: 'ingresses' },
  { kind: 'PodDisruptionBudget', apiVersion: 'policy/v1', plural: 'poddisruptionbudgets' },
  { kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v2', plural: 'horizontalpodautoscalers' },
] as const;

export type OwnedKind = (typeof OWNED_KINDS)[number]['kind'];

/** The REST path of a kind, all namespaces or one. */
export function resourcePath(apiVersion: string, plural: string, namespace?: string): string {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return namespace === undefined ? `${base}/${plural}` : `${base}/namespaces/${namespace}/${plural}`;
}
