import type { V1ObjectMeta } from '@kubernetes/client-node';
import { API_VERSION, KIND, type MailCluster } from '../api/v1alpha1/mailcluster.ts';
import { type Component, objectLabels } from './labels.ts';

/** Metadata of an owned object: name, namespace, labels and the controller owner reference (for GC). */
export function ownedMeta(cluster: MailCluster, name: string, component: Component, extra: Partial<V1ObjectMeta> = {}): V1ObjectMeta {
  return {
    name,
    namespace: cluster.metadata.namespace,
    labels: objectLabels(cluster, component),
    ownerReferences: [
      { apiVersion: API_VERSION, kind: KIND, name: cluster.metadata.name, uid: cluster.metadata.uid, controller: true, blockOwnerDeletion: true },
    ],
    ...extra,
  };
}
