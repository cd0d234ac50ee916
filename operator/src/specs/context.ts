import type { MailCluster } from '../api/v1alpha1/mailcluster.ts';
import type { Images } from '../images.ts';
import type { ClusterSize } from '../sizing/sizing.ts';
import { type ObjectNames, objectNames } from './names.ts';

/** Everything a spec builder needs, decided before building: builders only translate. */
export interface BuildContext {
  cluster: MailCluster;
  names: ObjectNames;
  size: ClusterSize;
  /** db servers to run: the sized count, or more when the db tier may not shrink. */
  dbReplicas: number;
  images: Images;
  /** Where services reach NATS (the managed cluster's Service or spec.nats.externalUrl). */
  natsUrl: string;
  /** The name smtp-ingest greets with and its certificate carries. */
  smtpHostname: string;
}

/** Ports inside the pods (unprivileged; Services map 25/587/80 onto them). */
export const PORTS = { web: 8080, smtp: 2525, submission: 2587, ops: 9090, db: 3306, natsClient: 4222, natsCluster: 6222, natsMonitor: 8222 } as const;

/**
 * The context of one cluster at a planned size: its names, where services reach NATS, the name
 * smtp-ingest greets with, and its images (spec.images over the operator's defaults).
 */
export function buildContext(cluster: MailCluster, sized: Pick<BuildContext, 'size' | 'dbReplicas'>, defaultImages: Images): BuildContext {
  const names = objectNames(cluster);
  const { namespace } = cluster.metadata;
  const images = { ...defaultImages, ...Object.fromEntries(Object.entries(cluster.spec.images).filter(([, v]) => v !== undefined)) };
  return {
    cluster,
    names,
    size: sized.size,
    dbReplicas: sized.dbReplicas,
    images,
    natsUrl: cluster.spec.nats.externalUrl ?? `nats://${names.nats}.${namespace}.svc:4222`,
    smtpHostname: cluster.spec.smtp.hostname ?? `${names.smtp}.${namespace}.svc`,
  };
}
