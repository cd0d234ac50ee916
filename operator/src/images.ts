/**
 * Default images of every tier, in one place. The Helm chart passes its values as
 * MAILCLUSTER_IMAGE_* to the operator (config.ts), so the chart's values.yaml and these defaults
 * are the same knobs; a MailCluster's spec.images overrides per cluster.
 */
export const OPERATOR_VERSION = '0.1.0';

export const DEFAULT_IMAGES = {
  web: `ghcr.io/mailcluster/web:${OPERATOR_VERSION}`,
  smtpIngest: `ghcr.io/mailcluster/smtp-ingest:${OPERATOR_VERSION}`,
  writer: `ghcr.io/mailcluster/writer:${OPERATOR_VERSION}`,
  delivery: `ghcr.io/mailcluster/delivery:${OPERATOR_VERSION}`,
  // The db server the project is tested with (Debian's MariaDB 10.11 in the local stack).
  db: 'docker.io/library/mariadb:10.11',
  nats: 'docker.io/library/nats:2.15.2-alpine',
} as const;

export type Images = { [K in keyof typeof DEFAULT_IMAGES]: string };
