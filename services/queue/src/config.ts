import { positiveInt } from '@mailcluster/common';

/** Queue settings shared by every service that creates or uses the mail streams. */
export const queueConfigFields = {
  /** 3 in production (DESIGN §4): a 250 is only as durable as the stream behind it. */
  streamReplicas: positiveInt.default(3),
  /** Cap on queued inbound mail; when full, ingest answers 451 until writers catch up. */
  streamMaxBytes: positiveInt.default(10 * 1024 ** 3),
  /** A repeated Nats-Msg-Id within this window is dropped; the shard table's unique key covers the rest. */
  duplicateWindowMs: positiveInt.default(120_000),
  /** Large bodies wait in the blob store; this must exceed the longest wait of a copy in MAIL_IN. */
  blobTtlMs: positiveInt.default(14 * 24 * 3600_000),
};
