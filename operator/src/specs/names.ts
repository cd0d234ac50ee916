import type { MailCluster } from '../api/v1alpha1/mailcluster.ts';

/** Every object name derived from a cluster's name, computed in one place. */
export function objectNames(cluster: Pick<MailCluster, 'metadata'>) {
  const n = cluster.metadata.name;
  return {
    web: `${n}-web`,
    webHeadless: `${n}-web-hl`,
    smtp: `${n}-smtp`,
    smtpHeadless: `${n}-smtp-hl`,
    db: `${n}-db`,
    dbHeadless: `${n}-db-hl`,
    dbConfig: `${n}-db-config`,
    writer: `${n}-writer`,
    delivery: `${n}-delivery`,
    nats: `${n}-nats`,
    natsHeadless: `${n}-nats-hl`,
    natsConfig: `${n}-nats-config`,
    shardMap: `${n}-shardmap`,
    domains: `${n}-domains`,
    dbCredentials: `${n}-db-credentials`,
    webSession: `${n}-web-session`,
    submission: `${n}-submission`,
    smtpTls: `${n}-smtp-tls`,
  };
}

export type ObjectNames = ReturnType<typeof objectNames>;

/** The stable host name of pod `ordinal` of a StatefulSet behind a headless Service. */
export function podHost(statefulSet: string, ordinal: number, headless: string, namespace: string): string {
  return `${statefulSet}-${ordinal}.${headless}.${namespace}.svc`;
}
