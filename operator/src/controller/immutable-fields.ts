import type { KubernetesObject, V1PersistentVolumeClaim, V1StatefulSet } from '@kubernetes/client-node';

/**
 * A StatefulSet's volumeClaimTemplates cannot change once it exists, and server-side apply would
 * try to change them whenever spec.users moves the volume size (the API server answers 422). So an
 * existing StatefulSet keeps the size and storage class its templates were created with; volumes
 * grow by expanding their claims instead (cluster-volumes.ts).
 */
export function keepImmutableFields(desired: KubernetesObject, live: KubernetesObject | undefined): KubernetesObject {
  if (desired.kind !== 'StatefulSet' || live === undefined) return desired;
  const liveTemplates = (live as V1StatefulSet).spec?.volumeClaimTemplates ?? [];
  const desiredSet = desired as V1StatefulSet & KubernetesObject;
  const templates = desiredSet.spec?.volumeClaimTemplates;
  if (!templates || !desiredSet.spec) return desired;
  return {
    ...desiredSet,
    spec: {
      ...desiredSet.spec,
      volumeClaimTemplates: templates.map((template): V1PersistentVolumeClaim => {
        const current = liveTemplates.find((t) => t.metadata?.name === template.metadata?.name)?.spec;
        if (!current || !template.spec) return template;
        const { storageClassName: _class, ...spec } = template.spec;
        return {
          ...template,
          spec: {
            ...spec,
            ...(current.storageClassName === undefined ? {} : { storageClassName: current.storageClassName }),
            resources: { ...spec.resources, requests: { ...spec.resources?.requests, ...current.resources?.requests } },
          },
        };
      }),
    },
  } as KubernetesObject;
}
