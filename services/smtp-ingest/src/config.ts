import { boolean, commonConfigFields, hostPort, positiveInt } from '@mailcluster/common';
import { queueConfigFields } from '@mailcluster/queue';
import { z } from 'zod';

/** smtp-ingest configuration: `MAILCLUSTER_<FIELD>` environment variables (see common/config.ts). */
export const ingestConfigSchema = z.object({
  ...commonConfigFields,
  smtpListen: hostPort.default({ host: '0.0.0.0', port: 25 }),
  /** The name this server gives itself in the greeting and in Received headers. */
  smtpHostname: z.string().min(1).default('localhost'),
  /** STARTTLS certificate and key (PEM files); without them STARTTLS is not offered. */
  tlsCertFile: z.string().optional(),
  tlsKeyFile: z.string().optional(),
  /** Expect a PROXY protocol v1 header from the load balancer, to see the real client IP. */
  smtpProxyProtocol: boolean.default(false),
  /** The submission listener (587 in production): AUTH over TLS required. Off when unset. */
  submissionListen: hostPort.optional(),
  /** The service account the web tier authenticates with on submission; it may send as any hosted user. */
  submissionServiceUser: z.string().min(1).default('web-tier'),
  submissionServicePassword: z.string().min(16).optional(),
  /** Submission accepts recipients on other domains and queues them for delivery (MAIL_OUT). */
  outboundEnabled: boolean.default(true),
  /** Recipients one sender may address per hour through submission (per pod). */
  submissionRecipientsPerHour: positiveInt.default(500),

  // ---- limits, all enforced before 250 ----
  /** Largest message in bytes (advertised as SIZE; 552 at MAIL FROM for a declared size, at end of DATA for the real one). */
  maxMessageBytes: positiveInt.default(25 * 1024 * 1024),
  /** Recipients per message; more get 452 4.5.3, and the sender sends them in another transaction. */
  maxRecipients: positiveInt.default(100),
  /** Longest line of message text, without CRLF (RFC 5322 §2.1.1: 998). */
  maxLineLength: positiveInt.default(998),
  /** MIME parts per message and how deep multiparts may nest (Postfix: mime_nesting_limit 100). */
  maxMimeParts: positiveInt.default(500),
  maxMimeDepth: positiveInt.default(50),
  /** Largest header block of one MIME part, in bytes (Postfix: header_size_limit 102400). */
  maxHeaderBytes: positiveInt.default(256 * 1024),
  /** Open connections per client IP; more get 421 4.7.0. */
  maxConnectionsPerIp: positiveInt.default(20),
  /** All open connections; more get 421. */
  maxConnections: positiveInt.default(1000),
  /** A connection idle for this long is closed (RFC 5321 §4.5.3.2.7: at least 5 minutes). */
  idleTimeoutMs: positiveInt.default(300_000),
  /** A session older than this is closed after its current command, however busy. */
  sessionTimeoutMs: positiveInt.default(30 * 60_000),
  /** On SIGTERM, sessions get this long to finish before 421; below terminationGracePeriodSeconds. */
  drainTimeoutMs: positiveInt.default(25_000),

  // ---- queue ----
  ...queueConfigFields,
  /** Bodies larger than this travel through the blob store instead of inline (NATS max_payload is 1 MB by default). */
  inlineMaxBytes: positiveInt.default(512 * 1024),
  /** How long to wait for the JetStream acks of one message before answering 451. */
  publishTimeoutMs: positiveInt.default(10_000),
  /** How long a hosted-domain list and a user lookup stay cached. */
  directoryCacheMs: positiveInt.default(5_000),
}).refine((c) => c.submissionListen === undefined || (c.tlsCertFile !== undefined && c.tlsKeyFile !== undefined), {
  path: ['submissionListen'],
  message: 'the submission listener requires MAILCLUSTER_TLS_CERT_FILE and MAILCLUSTER_TLS_KEY_FILE (AUTH only over TLS)',
});

export type IngestConfig = z.infer<typeof ingestConfigSchema>;
