import { boolean, dbUrls, hostPort, logLevel, positiveInt } from '@mailcluster/common';
import { z } from 'zod';

/** web configuration: `MAILCLUSTER_<FIELD>` environment variables (see common/config.ts). */
export const webConfigSchema = z.object({
  logLevel: logLevel.default('info'),
  dbUrls,
  /** Shard map JSON (a mounted ConfigMap); without it, rendezvous over the db URLs. */
  shardMapFile: z.string().optional(),
  /** Where `/metrics`, `/healthz` and `/readyz` are served. */
  opsListen: hostPort.default({ host: '0.0.0.0', port: 9090 }),
  /** Where the webmail listens (plain HTTP: TLS ends at the Ingress, or at localhost in the stack). */
  webListen: hostPort.default({ host: '0.0.0.0', port: 8080 }),
  /** The URL people open, e.g. https://mail.example.com. Its origin is the only one allowed to POST. */
  publicUrl: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8080'),
  /** Take the client IP from X-Forwarded-For (behind the Ingress), for per-IP sign-in throttling. */
  trustProxy: boolean.default(false),
  /** Connections per db from one web pod. */
  dbConnections: positiveInt.default(8),

  // ---- sessions and sign-in ----
  /** A session unused this long ends. */
  sessionIdleMinutes: positiveInt.default(12 * 60),
  /** A session ends this long after sign-in, however busy. */
  sessionMaxHours: positiveInt.default(7 * 24),
  /** Failed sign-ins for one account before it is locked, for 30 s doubling with each further failure (at most 15 min). */
  loginAccountFailures: positiveInt.default(5),
  /** Failed sign-ins from one IP within the window before that IP is refused until the window passes. */
  loginIpFailures: positiveInt.default(30),
  /** A run of failures is forgotten this long after the last one. */
  loginWindowSeconds: positiveInt.default(15 * 60),

  // ---- sending: SMTP submission to the smtp tier ----
  /** host:port of smtp-ingest's submission listener (STARTTLS and AUTH required). */
  submission: hostPort.default({ host: '127.0.0.1', port: 587 }),
  submissionUser: z.string().min(1).default('web-tier'),
  submissionPassword: z.string().min(1),
  /** PEM CA certificate(s) to trust for submission's STARTTLS (the stack's self-signed one); else the system CAs. */
  submissionCaFile: z.string().optional(),
  /** The name the submission certificate must carry; defaults to the submission host. */
  submissionTlsServername: z.string().optional(),

  // ---- compose limits (submission accepts 25 MB; base64 makes attachments a third larger) ----
  maxAttachmentBytes: positiveInt.default(10 * 1024 * 1024),
  maxAttachmentsTotalBytes: positiveInt.default(18 * 1024 * 1024),
  maxAttachments: positiveInt.default(20),
  maxRecipients: positiveInt.default(100),

  /** Messages per page unless the user chose otherwise. */
  pageSize: positiveInt.max(200).default(50),
});

export type WebConfig = z.infer<typeof webConfigSchema>;
