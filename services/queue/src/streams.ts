import type { Logger } from '@mailcluster/common';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamManager,
  RetentionPolicy,
  type StreamConfig,
  StorageType,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { MAIL_DEAD_STREAM, MAIL_DEAD_SUBJECTS, MAIL_IN_STREAM, MAIL_IN_SUBJECTS, WRITER_CONSUMER } from './names.ts';

export interface StreamSettings {
  /** 3 in production (DESIGN §4): a 250 is only as durable as the stream behind it. */
  replicas: number;
  /** Cap on queued inbound mail; when full, publishes fail and SMTP answers 451 (DiscardNew). */
  maxBytes: number;
  /** Window in which a repeated Nats-Msg-Id is dropped; the shard table's unique key covers the rest. */
  duplicateWindowMs: number;
}

type StreamDefinition = Partial<StreamConfig> & { name: string };

function mailInConfig(s: StreamSettings): StreamDefinition {
  return {
    name: MAIL_IN_STREAM,
    subjects: [MAIL_IN_SUBJECTS],
    // A work queue: a copy leaves the stream when a writer acks it, after its row is committed.
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    num_replicas: s.replicas,
    max_bytes: s.maxBytes,
    // Never evict unstored mail to make room: refuse new mail instead (→ 451, the sender retries).
    discard: DiscardPolicy.New,
    duplicate_window: nanos(s.duplicateWindowMs),
  };
}

function mailDeadConfig(s: StreamSettings): StreamDefinition {
  return {
    name: MAIL_DEAD_STREAM,
    subjects: [MAIL_DEAD_SUBJECTS],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    num_replicas: s.replicas,
    max_bytes: s.maxBytes,
    discard: DiscardPolicy.New,
  };
}

async function ensureStream(jsm: JetStreamManager, config: StreamDefinition, log: Logger): Promise<void> {
  const { name } = config;
  try {
    const info = await jsm.streams.info(name);
    const c = info.config;
    // Update only what is safe to change in place (replicas and limits), and only on a difference:
    // every service calls this at start-up, so an unconditional update would churn the stream.
    const changed = (['num_replicas', 'max_bytes', 'duplicate_window'] as const).some(
      (key) => config[key] !== undefined && c[key] !== config[key],
    );
    if (changed) {
      await jsm.streams.update(name, { ...c, ...config });
      log.info({ stream: name }, 'stream settings updated');
    }
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.streams.add(config);
    log.info({ stream: name, replicas: config.num_replicas }, 'stream created');
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && /not found/i.test(error.message);
}

/** Creates or converges the mail streams. Idempotent; every service that uses them calls it. */
export async function ensureMailStreams(jsm: JetStreamManager, settings: StreamSettings, log: Logger): Promise<void> {
  await ensureStream(jsm, mailInConfig(settings), log);
  await ensureStream(jsm, mailDeadConfig(settings), log);
}

/**
 * Creates or updates the durable pull consumer all writer pods share.
 * `ackWaitMs`: a copy delivered to a writer that dies (kill -9) goes to another writer after this.
 * A batch commits well inside it; longer means slower recovery, shorter risks double work.
 */
export async function ensureWriterConsumer(jsm: JetStreamManager, ackWaitMs: number): Promise<void> {
  const config = {
    durable_name: WRITER_CONSUMER,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(ackWaitMs),
    // Unlimited: the writer itself dead-letters a copy that keeps failing on its data, while a copy
    // whose db is down must wait for the db however long that takes.
    max_deliver: -1,
    max_ack_pending: 20_000,
  };
  try {
    const info = await jsm.consumers.info(MAIL_IN_STREAM, WRITER_CONSUMER);
    if (info.config.ack_wait !== config.ack_wait) await jsm.consumers.update(MAIL_IN_STREAM, WRITER_CONSUMER, { ack_wait: config.ack_wait });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.consumers.add(MAIL_IN_STREAM, config);
  }
}
