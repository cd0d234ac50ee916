import type { KubernetesObject } from '@kubernetes/client-node';
import type { BuildContext } from './context.ts';
import { serviceContainer, serviceVolumes } from './service-pod.ts';
import { disruptionBudget, serviceDeployment } from './workload.ts';

/**
 * Outbound delivery workers (the seed's sendmail machines delivering users' mail "to the external
 * host; or queue the message if an error occurs"): they take MAIL_OUT, sign with DKIM, deliver to
 * the recipients' MX (or the smarthost), retry and bounce. None when spec.outbound is off.
 */
export function deliveryObjects(ctx: BuildContext): KubernetesObject[] {
  const { cluster, names, size } = ctx;
  if (size.delivery.replicas === 0) return [];
  const { relayHost } = cluster.spec.outbound;
  const container = serviceContainer(ctx, {
    name: 'delivery',
    image: ctx.images.delivery,
    usesQueue: true,
    resources: size.delivery.resources,
    ports: [],
    env: [
      { name: 'MAILCLUSTER_HOSTNAME', value: ctx.smtpHostname },
      ...(relayHost === undefined ? [] : [{ name: 'MAILCLUSTER_RELAY_HOST', value: relayHost }]),
    ],
  });
  return [
    serviceDeployment(ctx, {
      name: names.delivery,
      component: 'delivery',
      replicas: size.delivery.replicas,
      container,
      volumes: serviceVolumes(ctx),
      placement: cluster.spec.outbound.placement,
      // A delivery in DATA may take minutes; what is not done by then goes to another worker.
      terminationGracePeriodSeconds: 60,
    }),
    disruptionBudget(ctx, names.delivery, 'delivery'),
  ];
}
