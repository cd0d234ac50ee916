import type { KubernetesObject } from '@kubernetes/client-node';
import type { BuildContext } from './context.ts';
import { serviceContainer, serviceVolumes } from './service-pod.ts';
import { disruptionBudget, serviceDeployment } from './workload.ts';

export const DOMAINS_DIR = '/etc/mailcluster/domains';

/**
 * The writers: a Deployment (any writer takes any copy), at least one per db. They also keep the
 * hosted domains of spec.domains in db 0's directory.
 */
export function writerObjects(ctx: BuildContext): KubernetesObject[] {
  const { cluster, names, size } = ctx;
  const container = serviceContainer(ctx, {
    name: 'writer',
    image: ctx.images.writer,
    usesQueue: true,
    resources: size.writer.resources,
    ports: [],
    env: [{ name: 'MAILCLUSTER_DOMAINS_FILE', value: `${DOMAINS_DIR}/domains` }],
    mounts: [{ name: 'domains', mountPath: DOMAINS_DIR, readOnly: true }],
  });
  return [
    serviceDeployment(ctx, {
      name: names.writer,
      component: 'writer',
      replicas: size.writer.replicas,
      container,
      volumes: [...serviceVolumes(ctx), { name: 'domains', configMap: { name: names.domains } }],
      placement: cluster.spec.writer.placement,
      terminationGracePeriodSeconds: 30,
    }),
    disruptionBudget(ctx, names.writer, 'writer'),
  ];
}
