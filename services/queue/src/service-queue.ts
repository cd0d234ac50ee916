import { type Logger, retryUntilDone } from '@mailcluster/common';
import { type JetStreamClient, type JetStreamManager, type JetStreamOptions, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type BlobStore, openBlobStore } from './blob-store.ts';
import { type NatsLink, connectNats } from './connection.ts';
import { ensureMailStreams } from './streams.ts';

export interface ServiceQueueConfig {
  natsUrl: string[];
  streamReplicas: number;
  streamMaxBytes: number;
  duplicateWindowMs: number;
  blobTtlMs: number;
}

export interface ServiceQueue {
  nats: NatsLink;
  jsm: JetStreamManager;
  js: JetStreamClient;
  blobs: BlobStore;
}

/**
 * The queue side of a mail service: the NATS connection, the mail streams made or brought up to
 * date (and the service's own consumer, `ensureConsumer`), the JetStream client and the blob
 * store. Each step is retried until NATS answers, so a pod may start before the broker.
 */
export async function openServiceQueue(
  config: ServiceQueueConfig,
  options: { name: string; log: Logger; ensureConsumer?: (jsm: JetStreamManager) => Promise<void>; jetstream?: JetStreamOptions },
): Promise<ServiceQueue> {
  const { log } = options;
  const nats = await connectNats({ servers: config.natsUrl, name: options.name, log });
  const jsm = await jetstreamManager(nats.nc);
  const streams = { replicas: config.streamReplicas, maxBytes: config.streamMaxBytes, duplicateWindowMs: config.duplicateWindowMs };
  await retryUntilDone('stream setup', async () => {
    await ensureMailStreams(jsm, streams, log);
    await options.ensureConsumer?.(jsm);
  }, { log });
  const js = jetstream(nats.nc, options.jetstream);
  const blobs = await retryUntilDone(
    'blob store setup',
    () => openBlobStore(js, { replicas: config.streamReplicas, ttlMs: config.blobTtlMs, maxBytes: config.streamMaxBytes }),
    { log },
  );
  return { nats, jsm, js, blobs };
}
