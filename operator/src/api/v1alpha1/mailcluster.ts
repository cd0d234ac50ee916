import { z } from 'zod';

/**
 * The MailCluster API, v1alpha1: the one source of the TypeScript types, the operator's validation
 * and the CRD's OpenAPI schema (crds/ is generated from these schemas by operator/scripts/gen-crd.ts).
 * Defaults live here too, so the API server applies them and every reader sees the same values.
 */
export const GROUP = 'mailcluster.dev';
export const VERSION = 'v1alpha1';
export const KIND = 'MailCluster';
export const PLURAL = 'mailclusters';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** A Kubernetes resource quantity ("512Mi", "1", 2): an int-or-string in the schema. */
const quantity = z
  .union([z.string().regex(/^[0-9.]+([eE][-+]?[0-9]+|[numkKMGTPE]|[KMGTPE]i)?$/, 'not a resource quantity'), z.number().nonnegative()])
  .meta({ 'x-kubernetes-int-or-string': true });

/** An embedded Kubernetes object (Affinity, Toleration …): validated by the API server on the pods. */
const kubeObject = (description: string) =>
  z.record(z.string(), z.unknown()).meta({ description, 'x-kubernetes-preserve-unknown-fields': true });

// RE2 syntax (no look-arounds): the API server checks CRD patterns with Go's regexp.
const DNS_LABEL = '[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?';
const dnsName = z
  .string()
  .max(253)
  .regex(new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})+$`), 'must be a lower-case DNS name with at least two labels');

const resources = z
  .object({
    requests: z.record(z.string(), quantity).optional(),
    limits: z.record(z.string(), quantity).optional(),
  })
  .strict()
  .meta({ description: 'Overrides the per-pod requests/limits of this tier (merged over the defaults).' });

const placement = z
  .object({
    nodeSelector: z.record(z.string(), z.string()).optional(),
    tolerations: z.array(kubeObject('a core/v1 Toleration')).optional(),
    affinity: kubeObject('a core/v1 Affinity; replaces the default anti-affinity').optional(),
    topologySpreadConstraints: z
      .array(kubeObject('a core/v1 TopologySpreadConstraint'))
      .optional()
      .meta({ description: 'Replaces the default spread of the tier across nodes and zones.' }),
  })
  .strict()
  .meta({ description: 'Where the pods of a tier run; the seed gives every tier machines of its own.' });

const tierFields = { resources: resources.optional(), placement: placement.optional() };

const ratios = z
  .object({
    usersPerWeb: z.int().min(1).default(250_000).meta({ description: 'Users one web pod serves (seed: 4 machines per 1M).' }),
    smtpPerMillionMin: z.number().positive().default(2).meta({ description: 'Fewest SMTP pods per million users (seed: 2–4 per 1M).' }),
    smtpPerMillionMax: z.number().positive().default(4).meta({ description: 'Most SMTP pods per million users; load moves the count in between.' }),
    smtpMin: z.int().min(1).default(2).meta({ description: 'Fewest SMTP pods at any size (an MX is never a single machine).' }),
    usersPerDb: z.int().min(1).default(1_000_000).meta({ description: 'Users one db server holds (seed: 1 per 1M).' }),
    writersPerDb: z.int().min(1).default(1).meta({ description: 'Writer pods per db.' }),
  })
  .strict()
  .meta({
    description: 'The seed hardware ratio; override to size differently.',
    'x-kubernetes-validations': [{ rule: 'self.smtpPerMillionMin <= self.smtpPerMillionMax', message: 'smtpPerMillionMin must not exceed smtpPerMillionMax' }],
  });

const web = z
  .object({
    ...tierFields,
    ingress: z
      .object({
        host: dnsName.optional().meta({ description: 'Host name of the webmail; without one no Ingress is made.' }),
        className: z.string().optional(),
        tlsSecretName: z.string().optional().meta({ description: 'Secret with the certificate for host.' }),
      })
      .strict()
      .default({})
      .meta({ 'x-kubernetes-validations': [{ rule: '!has(self.tlsSecretName) || has(self.host)', message: 'ingress.tlsSecretName needs ingress.host' }] }),
  })
  .strict();

const smtp = z
  .object({
    ...tierFields,
    serviceType: z.enum(['LoadBalancer', 'NodePort', 'ClusterIP']).default('LoadBalancer'),
    externalTrafficPolicy: z
      .enum(['Local', 'Cluster'])
      .default('Local')
      .meta({ description: 'Local keeps the client IP without PROXY protocol (SPF, rate limits, no open relay by accident).' }),
    proxyProtocol: z.boolean().default(false).meta({ description: 'The load balancer sends a PROXY protocol header; smtp-ingest reads the client IP from it.' }),
    serviceAnnotations: z.record(z.string(), z.string()).optional().meta({ description: 'Annotations for the SMTP Service (cloud load-balancer settings).' }),
    hostname: dnsName.optional().meta({ description: 'The MX host name: the SMTP greeting, Received headers and the certificate carry it.' }),
    tlsSecretName: z.string().optional().meta({ description: 'Secret (tls.crt, tls.key, ca.crt) for STARTTLS; without it the operator makes a self-signed one.' }),
    submission: z.boolean().default(true).meta({ description: 'Run the submission listener (port 587, AUTH over TLS).' }),
    maxMessageBytes: z.int().min(1024).max(64 * 1024 * 1024).default(25 * 1024 * 1024),
  })
  .strict();

const db = z
  .object({
    ...tierFields,
    storageClassName: z.string().optional(),
    storagePerUser: quantity.default('128Ki').meta({ description: 'Disk each user is expected to use (seed: 100–150 GB per million users); each db volume is max(minVolume, users on the db × storagePerUser) and grows with users (ADR 0006).' }),
    minVolume: quantity.default('100Gi'),
    pvcRetention: z.enum(['Retain', 'Delete']).default('Retain').meta({ description: 'What happens to db volumes when the MailCluster is deleted.' }),
  })
  .strict();

const nats = z
  .object({
    ...tierFields,
    externalUrl: z.string().regex(/^nats:\/\//, 'must be a nats:// URL').optional().meta({ description: 'Use this NATS instead of a managed 3-node JetStream cluster.' }),
    storage: quantity.default('20Gi'),
  })
  .strict();

const outbound = z
  .object({
    ...tierFields,
    enabled: z.boolean().default(true).meta({ description: 'Deliver mail to other domains (submission accepts remote recipients; delivery workers run).' }),
    relayHost: z
      .string()
      .regex(/^[A-Za-z0-9.-]+:[0-9]{1,5}$/, 'must be host:port')
      .optional()
      .meta({ description: 'Send all outbound mail through this smarthost instead of the recipients\' MX hosts.' }),
  })
  .strict();

const images = z
  .object({
    web: z.string().optional(),
    smtpIngest: z.string().optional(),
    writer: z.string().optional(),
    delivery: z.string().optional(),
    db: z.string().optional(),
    nats: z.string().optional(),
  })
  .strict()
  .meta({ description: 'Image overrides; unset ones come from the operator (see images.ts).' });

export const mailClusterSpecSchema = z
  .object({
    users: z.int().min(1).max(1_000_000_000).meta({ description: 'How many users to serve; every tier is sized from it.' }),
    domains: z.array(dnsName).max(1_000).default([]).meta({ description: 'Mail domains hosted here (more can be added with mailctl).' }),
    ratios: ratios.default({ usersPerWeb: 250_000, smtpPerMillionMin: 2, smtpPerMillionMax: 4, smtpMin: 2, usersPerDb: 1_000_000, writersPerDb: 1 }),
    web: web.default({ ingress: {} }),
    smtp: smtp.default({ serviceType: 'LoadBalancer', externalTrafficPolicy: 'Local', proxyProtocol: false, submission: true, maxMessageBytes: 25 * 1024 * 1024 }),
    db: db.default({ storagePerUser: '128Ki', minVolume: '100Gi', pvcRetention: 'Retain' }),
    writer: z.object(tierFields).strict().default({}),
    nats: nats.default({ storage: '20Gi' }),
    outbound: outbound.default({ enabled: true }),
    images: images.default({}),
    paused: z.boolean().default(false).meta({ description: 'Stop all changes to the cluster (status is still reported).' }),
  })
  .strict();

export type MailClusterSpec = z.output<typeof mailClusterSpecSchema>;
export type Placement = z.output<typeof placement>;
export type Resources = z.output<typeof resources>;

const condition = z
  .object({
    type: z.string(),
    status: z.enum(['True', 'False', 'Unknown']),
    reason: z.string(),
    message: z.string(),
    lastTransitionTime: z.string(),
    observedGeneration: z.int().optional(),
  })
  .strict();

const tierStatus = z.object({ desired: z.int(), ready: z.int() }).strict();

export const mailClusterStatusSchema = z
  .object({
    observedGeneration: z.int().optional(),
    web: tierStatus.optional(),
    smtp: tierStatus.extend({ min: z.int(), max: z.int() }).strict().optional(),
    db: tierStatus.optional(),
    writer: tierStatus.optional(),
    delivery: tierStatus.optional(),
    nats: tierStatus.optional(),
    shardMap: z
      .object({ epoch: z.int(), dbCount: z.int(), prefixesPerDb: z.array(z.int()), configMap: z.string() })
      .strict()
      .optional(),
    conditions: z
      .array(condition)
      .optional()
      .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
  })
  .strict();

export type MailClusterStatus = z.output<typeof mailClusterStatusSchema>;
export type Condition = z.output<typeof condition>;

/** A MailCluster as read from the API server (defaults applied). */
export interface MailCluster {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: { name: string; namespace: string; uid: string; generation?: number; resourceVersion?: string; deletionTimestamp?: string; labels?: Record<string, string> };
  spec: MailClusterSpec;
  status?: MailClusterStatus;
}
