import type { MailClusterSpec, Resources } from '../api/v1alpha1/mailcluster.ts';
import { parseQuantity, toGi } from './quantity.ts';

/** Requests and limits of one container, as the pod spec wants them. */
export interface PodResources {
  requests: Record<string, string>;
  limits: Record<string, string>;
}

/**
 * Per-pod resources by default. Memory follows the seed's machines (DESIGN §2: its RAM is the
 * floor); smtp-ingest and the writer get more than the seed's 128–256 MB because they hold whole
 * messages of up to 25 MB (ADR 0006). CPU: one core per web and SMTP pod (the benchmark's unit),
 * two for a db (the seed asks for a 2-way machine). No CPU limits: they only add throttling.
 */
export const DEFAULT_RESOURCES = {
  web: { requests: { cpu: '1', memory: '512Mi' }, limits: { memory: '1Gi' } },
  smtp: { requests: { cpu: '1', memory: '256Mi' }, limits: { memory: '512Mi' } },
  db: { requests: { cpu: '2', memory: '1Gi' }, limits: { memory: '1Gi' } },
  writer: { requests: { cpu: '500m', memory: '256Mi' }, limits: { memory: '512Mi' } },
  delivery: { requests: { cpu: '500m', memory: '256Mi' }, limits: { memory: '512Mi' } },
  nats: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } },
} satisfies Record<string, PodResources>;

export interface ClusterSize {
  web: { replicas: number; resources: PodResources };
  /** smtp-ingest scales with load between min and max (a HorizontalPodAutoscaler on CPU). */
  smtp: { min: number; max: number; resources: PodResources };
  db: { replicas: number; volume: string; resources: PodResources };
  writer: { replicas: number; resources: PodResources };
  /** Outbound delivery workers: as many as the SMTP tier's minimum (0 with outbound off). */
  delivery: { replicas: number; resources: PodResources };
  /** 3 for the managed JetStream cluster, 0 with an external NATS. */
  nats: { replicas: number; storage: string; resources: PodResources };
}

const MILLION = 1_000_000;

function merge(defaults: PodResources, override: Resources | undefined): PodResources {
  const text = (values: Record<string, string | number> | undefined) =>
    Object.fromEntries(Object.entries(values ?? {}).map(([key, value]) => [key, String(value)]));
  return {
    requests: { ...defaults.requests, ...text(override?.requests) },
    limits: { ...defaults.limits, ...text(override?.limits) },
  };
}

/**
 * The seed's hardware ratio (DESIGN §2) applied to a spec: how many pods of each tier, with what
 * resources and volumes. Pure: scaling decisions that depend on what runs (never shrinking the db
 * tier while it holds users) are taken by the controller, not here.
 */
export function sizeCluster(spec: MailClusterSpec): ClusterSize {
  const { users, ratios } = spec;
  const dbReplicas = Math.ceil(users / ratios.usersPerDb);
  const smtpMin = Math.max(ratios.smtpMin, Math.ceil((ratios.smtpPerMillionMin * users) / MILLION));
  const usersPerDbPod = Math.ceil(users / dbReplicas);
  const volumeBytes = Math.max(parseQuantity(spec.db.minVolume), usersPerDbPod * parseQuantity(spec.db.storagePerUser));
  return {
    web: { replicas: Math.ceil(users / ratios.usersPerWeb), resources: merge(DEFAULT_RESOURCES.web, spec.web.resources) },
    smtp: {
      min: smtpMin,
      max: Math.max(smtpMin, Math.ceil((ratios.smtpPerMillionMax * users) / MILLION)),
      resources: merge(DEFAULT_RESOURCES.smtp, spec.smtp.resources),
    },
    db: { replicas: dbReplicas, volume: toGi(volumeBytes), resources: merge(DEFAULT_RESOURCES.db, spec.db.resources) },
    writer: { replicas: dbReplicas * ratios.writersPerDb, resources: merge(DEFAULT_RESOURCES.writer, spec.writer.resources) },
    delivery: { replicas: spec.outbound.enabled ? smtpMin : 0, resources: merge(DEFAULT_RESOURCES.delivery, spec.outbound.resources) },
    nats: {
      replicas: spec.nats.externalUrl === undefined ? 3 : 0,
      storage: toGi(parseQuantity(spec.nats.storage)),
      resources: merge(DEFAULT_RESOURCES.nats, spec.nats.resources),
    },
  };
}
