import { commonConfigFields, positiveInt } from '@mailcluster/common';
import { queueConfigFields } from '@mailcluster/queue';
import { z } from 'zod';

/** writer configuration: `MAILCLUSTER_<FIELD>` environment variables (see common/config.ts). */
export const writerConfigSchema = z.object({
  ...commonConfigFields,
  ...queueConfigFields,
  /** Copies per batch: one multi-row INSERT per table and one transaction per db. */
  batchMaxCopies: positiveInt.default(200),
  /** Bytes per batch, so a few 25 MB messages do not make one huge statement. */
  batchMaxBytes: positiveInt.default(32 * 1024 * 1024),
  /** How long the first copy of a batch waits for company; bounds latency at low load. */
  batchMaxWaitMs: positiveInt.default(20),
  /** A copy held by a writer that died is redelivered to another after this. */
  ackWaitMs: positiveInt.default(30_000),
  /** A copy whose data keeps failing is dead-lettered after this many deliveries. */
  maxDataAttempts: positiveInt.default(5),
  /** Connections per db. */
  dbConnections: positiveInt.default(4),
  /** Domains to host, one per line (the operator mounts spec.domains here); synced into db 0. */
  domainsFile: z.string().optional(),
  /** Grace for the batch in flight on SIGTERM. */
  drainTimeoutMs: positiveInt.default(20_000),
});

export type WriterConfig = z.infer<typeof writerConfigSchema>;
