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
import { DELIVERY_CONSUMER, MAIL_OUT_STREAM, MAIL_OUT_SUBJECTS } from './outbound.ts';

export interface StreamSettings {
  /** 3 in production (DESIGN §4): a 250 is only as durable as the stream behind it. */
  replicas: number;
  /** Cap on queued inbound mail; when full, publishes fail and SMTP answers 451 (DiscardNew). */
  maxBytes: number;
  /** Window in which a repeated Nats-Msg-Id is dropped; the shard table's unique key covers the rest. */
  duplicateWindowMs: number;
}

type StreamDefinition = Partial<StreamConfig> & { name: string };

/**
 * A work queue of mail that must not be lost: a message leaves the stream when a worker acks it
 * (a writer after its row is committed, a delivery worker after delivering or bouncing it), and a
 * full stream refuses new mail (→ 451, the sender retries) instead of evicting unstored mail.
 */
function workQueueConfig(name: string, subjects: string, s: StreamSettings): StreamDefinition {
  return {
    name,
    subjects: [subjects],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    num_replicas: s.replicas,
    max_bytes: s.maxBytes,
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
  await ensureStream(jsm, workQueueConfig(MAIL_IN_STREAM, MAIL_IN_SUBJECTS, settings), log);
  await ensureStream(jsm, workQueueConfig(MAIL_OUT_STREAM, MAIL_OUT_SUBJECTS, settings), log);
  await ensureStream(jsm, mailDeadConfig(settings), log);
}

/**
 * Creates, or updates the ack wait of, a durable pull consumer shared by every pod of a service.
 * `ackWaitMs`: a message held by a pod that dies (kill -9) goes to another after this.
 */
async function ensureConsumer(jsm: JetStreamManager, stream: string, name: string, ackWaitMs: number): Promise<void> {
  const config = {
    durable_name: name,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(ackWaitMs),
    // Unlimited: the service itself dead-letters or bounces a message that keeps failing on its
    // data, while one whose db or remote server is down must wait however long that takes.
    max_deliver: -1,
    max_ack_pending: 20_000,
  };
  try {
    const info = await jsm.consumers.info(stream, name);
    if (info.config.ack_wait !== config.ack_wait) await jsm.consumers.update(stream, name, { ack_wait: config.ack_wait });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.consumers.add(stream, config);
  }
}

/** The writers' consumer on MAIL_IN: a batch commits well inside the ack wait. */
export function ensureWriterConsumer(jsm: JetStreamManager, ackWaitMs: number): Promise<void> {
  return ensureConsumer(jsm, MAIL_IN_STREAM, WRITER_CONSUMER, ackWaitMs);
}

/** The delivery workers' consumer on MAIL_OUT: a long transfer keeps its message with working(). */
export function ensureDeliveryConsumer(jsm: JetStreamManager, ackWaitMs: number): Promise<void> {
  return ensureConsumer(jsm, MAIL_OUT_STREAM, DELIVERY_CONSUMER, ackWaitMs);
}
