import { commonConfigFields, csv, hostPort, nonNegativeInt, positiveInt } from '@mailcluster/common';
import { queueConfigFields } from '@mailcluster/queue';
import { z } from 'zod';

/** delivery configuration: `MAILCLUSTER_<FIELD>` environment variables (see common/config.ts). */
export const deliveryConfigSchema = z.object({
  ...commonConfigFields,
  ...queueConfigFields,
  /** The name this MTA gives in EHLO, in DSNs (Reporting-MTA) and as MAILER-DAEMON's domain. */
  hostname: z.string().min(1).default('localhost'),
  /** Send every message to this host instead of the recipient domain's MX (a smarthost; tests). */
  relayHost: hostPort.optional(),
  /** DNS servers for MX lookups (ip or ip:port); empty: the system resolver. */
  dnsServers: csv.default([]),
  /** Delays between attempts, in ms; the last repeats. Postfix: 300 s doubling up to 4000 s. */
  retryDelaysMs: csv.transform((items) => items.map(Number)).pipe(z.array(z.number().int().positive()).min(1)).default([300_000, 600_000, 1_200_000, 2_400_000, 4_000_000]),
  /** A message still undelivered after this long is bounced (Postfix: maximal_queue_lifetime 5 d). */
  maxLifetimeMs: positiveInt.default(5 * 24 * 3_600_000),
  /** After this long undelivered, the sender is told once that delivery is delayed; 0: never. */
  warnAfterMs: nonNegativeInt.default(4 * 3_600_000),
  /** Open connections per destination host, and messages one connection carries before it is renewed. */
  connectionsPerDestination: positiveInt.default(4),
  messagesPerConnection: positiveInt.default(100),
  /** Messages delivered at the same time by this worker. */
  concurrency: positiveInt.default(32),
  /** A message held by a worker that died goes to another after this (live ones send working()). */
  ackWaitMs: positiveInt.default(60_000),
  /** Time limits of one SMTP conversation; the DATA wait follows Postfix's smtp_data_done_timeout. */
  connectTimeoutMs: positiveInt.default(30_000),
  dataTimeoutMs: positiveInt.default(600_000),
  /** How long inline payloads may be before the blob store is used (for DSNs). */
  inlineMaxBytes: positiveInt.default(512 * 1024),
});

export type DeliveryConfig = z.infer<typeof deliveryConfigSchema>;
