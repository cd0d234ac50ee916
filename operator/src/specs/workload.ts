import type { KubernetesObject, V1Container, V1Deployment, V1PersistentVolumeClaim, V1PodDisruptionBudget, V1Service, V1StatefulSet, V1Volume } from '@kubernetes/client-node';
import type { Placement } from '../api/v1alpha1/mailcluster.ts';
import type { BuildContext } from './context.ts';
import { type Component, selectorLabels } from './labels.ts';
import { ownedMeta } from './object-meta.ts';
import { placementFields } from './placement.ts';
import { UIDS, podSecurity } from './pod-security.ts';

/** A typed object with the kind/apiVersion set, ready to apply. */
export type Applied<T> = T & KubernetesObject & { apiVersion: string; kind: string };

export interface StatefulSetShape {
  name: string;
  headless: string;
  component: Component;
  /** Omitted when an autoscaler owns the replica count. */
  replicas: number | undefined;
  containers: V1Container[];
  volumes: V1Volume[];
  uid: number;
  placement: Placement | undefined;
  separateNodes: boolean;
  terminationGracePeriodSeconds: number;
  volumeClaimTemplates?: V1PersistentVolumeClaim[];
  persistentVolumeClaimRetentionPolicy?: { whenDeleted: string; whenScaled: string };
}

/** The StatefulSet every tier shares the shape of: stable names, parallel start, rolling updates. */
export function statefulSet(ctx: BuildContext, shape: StatefulSetShape): Applied<V1StatefulSet> {
  const selector = selectorLabels(ctx.cluster, shape.component);
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: ownedMeta(ctx.cluster, shape.name, shape.component),
    spec: {
      ...(shape.replicas === undefined ? {} : { replicas: shape.replicas }),
      serviceName: shape.headless,
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate' },
      selector: { matchLabels: selector },
      ...(shape.persistentVolumeClaimRetentionPolicy ? { persistentVolumeClaimRetentionPolicy: shape.persistentVolumeClaimRetentionPolicy } : {}),
      template: {
        metadata: { labels: { ...selector, 'app.kubernetes.io/part-of': 'mailcluster' } },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: shape.terminationGracePeriodSeconds,
          securityContext: podSecurity(shape.uid),
          containers: shape.containers,
          volumes: shape.volumes,
          ...placementFields(selector, shape.placement, { separateNodes: shape.separateNodes }),
        },
      },
      ...(shape.volumeClaimTemplates ? { volumeClaimTemplates: shape.volumeClaimTemplates } : {}),
    },
  };
}

/** A stateless service as a Deployment: no identity, any pod takes any work; rolls without losing capacity. */
export function serviceDeployment(
  ctx: BuildContext,
  shape: { name: string; component: Component; replicas: number; container: V1Container; volumes: V1Volume[]; placement: Placement | undefined; terminationGracePeriodSeconds: number },
): Applied<V1Deployment> {
  const selector = selectorLabels(ctx.cluster, shape.component);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: ownedMeta(ctx.cluster, shape.name, shape.component),
    spec: {
      replicas: shape.replicas,
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: { ...selector, 'app.kubernetes.io/part-of': 'mailcluster' } },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: shape.terminationGracePeriodSeconds,
          securityContext: podSecurity(UIDS.node),
          containers: [shape.container],
          volumes: shape.volumes,
          ...placementFields(selector, shape.placement, { separateNodes: false }),
        },
      },
    },
  };
}

/** The headless Service that gives a StatefulSet's pods their DNS names. */
export function headlessService(ctx: BuildContext, name: string, component: Component, ports: { name: string; port: number }[]): Applied<V1Service> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: ownedMeta(ctx.cluster, name, component),
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: selectorLabels(ctx.cluster, component),
      ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: 'TCP' })),
    },
  };
}

/** At most one pod of a tier down at a time for voluntary disruptions (node drains, upgrades). */
export function disruptionBudget(ctx: BuildContext, name: string, component: Component): Applied<V1PodDisruptionBudget> {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: ownedMeta(ctx.cluster, name, component),
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(ctx.cluster, component) } },
  };
}
