import type { MailCluster } from '../api/v1alpha1/mailcluster.ts';

export const MANAGED_BY = 'mailcluster-operator';
export const LABEL_INSTANCE = 'app.kubernetes.io/instance';
export const LABEL_COMPONENT = 'app.kubernetes.io/component';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';

export type Component = 'web' | 'smtp-ingest' | 'db' | 'writer' | 'delivery' | 'nats' | 'config';

/** Labels that select a tier's pods: never change them on an existing workload (selectors are immutable). */
export function selectorLabels(cluster: Pick<MailCluster, 'metadata'>, component: Component): Record<string, string> {
  return { 'app.kubernetes.io/name': 'mailcluster', [LABEL_INSTANCE]: cluster.metadata.name, [LABEL_COMPONENT]: component };
}

/** All labels on an object the operator manages. */
export function objectLabels(cluster: Pick<MailCluster, 'metadata'>, component: Component): Record<string, string> {
  return { ...selectorLabels(cluster, component), 'app.kubernetes.io/part-of': 'mailcluster', [LABEL_MANAGED_BY]: MANAGED_BY };
}
