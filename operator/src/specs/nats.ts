import type { KubernetesObject, V1ConfigMap, V1Service } from '@kubernetes/client-node';
import { parseQuantity } from '../sizing/quantity.ts';
import { type BuildContext, PORTS } from './context.ts';
import { selectorLabels } from './labels.ts';
import { podHost } from './names.ts';
import { ownedMeta } from './object-meta.ts';
import { CONTAINER_SECURITY, UIDS } from './pod-security.ts';
import { type Applied, disruptionBudget, headlessService, statefulSet } from './workload.ts';

/** nats.conf of the managed cluster: JetStream on the pod's volume, routes to every peer. */
export function natsConfigFile(ctx: BuildContext): string {
  const { names, cluster, size } = ctx;
  const routes = Array.from({ length: size.nats.replicas }, (_, i) =>
    `nats://${podHost(names.nats, i, names.natsHeadless, cluster.metadata.namespace)}:${PORTS.natsCluster}`);
  const maxStore = Math.floor(parseQuantity(size.nats.storage) * 0.9);
  return [
    'server_name: $POD_NAME',
    `listen: 0.0.0.0:${PORTS.natsClient}`,
    `http: 0.0.0.0:${PORTS.natsMonitor}`,
    'pid_file: /var/run/nats/nats.pid',
    'lame_duck_duration: 30s',
    'lame_duck_grace_period: 10s',
    `jetstream { store_dir: /data, max_file_store: ${maxStore} }`,
    'cluster {',
    `  name: ${names.nats}`,
    `  listen: 0.0.0.0:${PORTS.natsCluster}`,
    `  routes: [${routes.map((r) => JSON.stringify(r)).join(', ')}]`,
    '}',
    '',
  ].join('\n');
}

/**
 * The managed NATS JetStream cluster: 3 servers, so streams are replicated ×3 and a 250 survives
 * the loss of a node (DESIGN §4). Absent when spec.nats.externalUrl is set.
 */
export function natsObjects(ctx: BuildContext): KubernetesObject[] {
  if (ctx.size.nats.replicas === 0) return [];
  const { cluster, names, size } = ctx;
  const config: Applied<V1ConfigMap> = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: ownedMeta(cluster, names.natsConfig, 'nats'),
    data: { 'nats.conf': natsConfigFile(ctx) },
  };
  const client: Applied<V1Service> = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: ownedMeta(cluster, names.nats, 'nats'),
    spec: { selector: selectorLabels(cluster, 'nats'), ports: [{ name: 'client', port: PORTS.natsClient, targetPort: 'client', protocol: 'TCP' }] },
  };
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: 'monitor' },
    periodSeconds,
    failureThreshold,
    timeoutSeconds: 5,
  });
  return [
    config,
    statefulSet(ctx, {
      name: names.nats,
      headless: names.natsHeadless,
      component: 'nats',
      replicas: size.nats.replicas,
      uid: UIDS.nats,
      placement: cluster.spec.nats.placement,
      separateNodes: true,
      terminationGracePeriodSeconds: 60,
      containers: [
        {
          name: 'nats',
          image: ctx.images.nats,
          args: ['--config', '/etc/nats/nats.conf'],
          env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          ports: [
            { name: 'client', containerPort: PORTS.natsClient },
            { name: 'cluster', containerPort: PORTS.natsCluster },
            { name: 'monitor', containerPort: PORTS.natsMonitor },
          ],
          resources: size.nats.resources,
          startupProbe: probe('/healthz?js-enabled-only=true', 5, 90),
          readinessProbe: probe('/healthz?js-server-only=true', 10, 3),
          livenessProbe: probe('/healthz?js-enabled-only=true', 30, 3),
          // Lame duck mode: clients move to the other servers before this one stops.
          lifecycle: { preStop: { exec: { command: ['nats-server', '--signal', 'ldm=/var/run/nats/nats.pid'] } } },
          securityContext: CONTAINER_SECURITY,
          volumeMounts: [
            { name: 'data', mountPath: '/data' },
            { name: 'config', mountPath: '/etc/nats', readOnly: true },
            { name: 'run', mountPath: '/var/run/nats' },
          ],
        },
      ],
      volumes: [
        { name: 'config', configMap: { name: names.natsConfig } },
        { name: 'run', emptyDir: {} },
      ],
      volumeClaimTemplates: [
        { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size.nats.storage } } } },
      ],
    }),
    headlessService(ctx, names.natsHeadless, 'nats', [
      { name: 'client', port: PORTS.natsClient },
      { name: 'cluster', port: PORTS.natsCluster },
      { name: 'monitor', port: PORTS.natsMonitor },
    ]),
    client,
    disruptionBudget(ctx, names.nats, 'nats'),
  ];
}
