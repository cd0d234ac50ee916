import { type KubernetesObjectApi, PatchStrategy, type V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { parseQuantity } from '../sizing/quantity.ts';
import { isNotFound } from '../runtime/kube-errors.ts';

export interface VolumeGrowth {
  claim: string;
  from: string;
  to: string;
}

/**
 * Grows the claims of a StatefulSet's pods to `size` (never shrinks: a claim cannot). Needs a
 * storage class with allowVolumeExpansion; the API server refuses otherwise, and the caller
 * reports it. Returns the claims it grew.
 */
export async function growClaims(api: KubernetesObjectApi, namespace: string, statefulSet: string, template: string, replicas: number, size: string): Promise<VolumeGrowth[]> {
  const grown: VolumeGrowth[] = [];
  for (let ordinal = 0; ordinal < replicas; ordinal++) {
    const name = `${template}-${statefulSet}-${ordinal}`;
    let claim: V1PersistentVolumeClaim;
    try {
      claim = await api.read<V1PersistentVolumeClaim>({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace } });
    } catch (error) {
      if (isNotFound(error)) continue; // not made yet: the StatefulSet makes it at the template's size
      throw error;
    }
    const current = String(claim.spec?.resources?.requests?.storage ?? '0');
    if (parseQuantity(current) >= parseQuantity(size)) continue;
    await api.patch(
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace }, spec: { resources: { requests: { storage: size } } } },
      undefined, undefined, undefined, undefined, PatchStrategy.MergePatch,
    );
    grown.push({ claim: name, from: current, to: size });
  }
  return grown;
}
