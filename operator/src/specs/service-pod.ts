import type { V1Container, V1EnvVar, V1Probe, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { type BuildContext, PORTS } from './context.ts';
import { podHost } from './names.ts';
import { CONTAINER_SECURITY } from './pod-security.ts';
import type { PodResources } from '../sizing/sizing.ts';

export const SHARD_MAP_DIR = '/etc/mailcluster/shardmap';
export const SHARD_MAP_KEY = 'shardmap.json';

/** The db URLs for `count` dbs; the password comes from the DB_PASSWORD variable set just before. */
export function dbUrlsEnv(ctx: BuildContext): V1EnvVar[] {
  const { names, cluster } = ctx;
  const urls = Array.from({ length: ctx.dbReplicas }, (_, i) =>
    `mysql://mailcluster:$(DB_PASSWORD)@${podHost(names.db, i, names.dbHeadless, cluster.metadata.namespace)}:${PORTS.db}/mailcluster`);
  return [
    { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: names.dbCredentials, key: 'password' } } },
    { name: 'MAILCLUSTER_DB_URLS', value: urls.join(',') },
  ];
}

/** Environment every mail service gets: where the dbs (and NATS, for those on the queue) and the shard map are, where to serve ops. */
export function serviceEnv(ctx: BuildContext, usesQueue: boolean): V1EnvVar[] {
  return [
    ...dbUrlsEnv(ctx),
    ...(usesQueue ? [{ name: 'MAILCLUSTER_NATS_URL', value: ctx.natsUrl }] : []),
    { name: 'MAILCLUSTER_SHARD_MAP_FILE', value: `${SHARD_MAP_DIR}/${SHARD_MAP_KEY}` },
    { name: 'MAILCLUSTER_OPS_LISTEN', value: `0.0.0.0:${PORTS.ops}` },
  ];
}

/** The shard map ConfigMap, followed by the services while they run, and scratch space on a read-only root. */
export function serviceVolumes(ctx: BuildContext): V1Volume[] {
  return [
    { name: 'shardmap', configMap: { name: ctx.names.shardMap } },
    { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
  ];
}

const SERVICE_MOUNTS: V1VolumeMount[] = [
  { name: 'shardmap', mountPath: SHARD_MAP_DIR, readOnly: true },
  { name: 'tmp', mountPath: '/tmp' },
];

const httpProbe = (path: string, periodSeconds: number, failureThreshold: number): V1Probe => ({
  httpGet: { path, port: 'ops' },
  periodSeconds,
  failureThreshold,
  timeoutSeconds: 3,
});

/** A mail service container: the common env, mounts, ops port, probes and restricted security. */
export function serviceContainer(
  ctx: BuildContext,
  spec: { name: string; image: string; env: V1EnvVar[]; ports: V1Container['ports']; resources: PodResources; mounts?: V1VolumeMount[]; usesQueue: boolean },
): V1Container {
  return {
    name: spec.name,
    image: spec.image,
    env: [...serviceEnv(ctx, spec.usesQueue), ...spec.env],
    ports: [...(spec.ports ?? []), { name: 'ops', containerPort: PORTS.ops }],
    resources: spec.resources,
    readinessProbe: httpProbe('/readyz', 5, 3),
    livenessProbe: httpProbe('/healthz', 10, 6),
    startupProbe: httpProbe('/healthz', 2, 60),
    securityContext: CONTAINER_SECURITY,
    volumeMounts: [...SERVICE_MOUNTS, ...(spec.mounts ?? [])],
  };
}
