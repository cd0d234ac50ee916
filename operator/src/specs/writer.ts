import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import type { BuildContext } from './context.ts';
import { selectorLabels } from './labels.ts';
import { ownedMeta } from './object-meta.ts';
import { placementFields } from './placement.ts';
import { UIDS, podSecurity } from './pod-security.ts';
import { serviceContainer, serviceVolumes } from './service-pod.ts';
import { type Applied, disruptionBudget } from './workload.ts';

export const DOMAINS_DIR = '/etc/mailcluster/domains';

/**
 * The writers: a Deployment (no identity, any writer takes any copy), at least one per db. They also
 * keep the hosted domains of spec.domains in db 0's directory.
 */
export function writerObjects(ctx: BuildContext): KubernetesObject[] {
  const { cluster, names, size } = ctx;
  const selector = selectorLabels(cluster, 'writer');
  const container = serviceContainer(ctx, {
    name: 'writer',
    image: ctx.images.writer,
    usesQueue: true,
    resources: size.writer.resources,
    ports: [],
    env: [{ name: 'MAILCLUSTER_DOMAINS_FILE', value: `${DOMAINS_DIR}/domains` }],
    mounts: [{ name: 'domains', mountPath: DOMAINS_DIR, readOnly: true }],
  });
  const deployment: Applied<V1Deployment> = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: ownedMeta(cluster, names.writer, 'writer'),
    spec: {
      replicas: size.writer.replicas,
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: { ...selector, 'app.kubernetes.io/part-of': 'mailcluster' } },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 30,
          securityContext: podSecurity(UIDS.node),
          containers: [container],
          volumes: [...serviceVolumes(ctx), { name: 'domains', configMap: { name: names.domains } }],
          ...placementFields(selector, cluster.spec.writer.placement, { separateNodes: false }),
        },
      },
    },
  };
  return [deployment, disruptionBudget(ctx, names.writer, 'writer')];
}
