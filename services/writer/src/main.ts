import { hostname } from 'node:os';
import {
  createMetricsRegistry,
  handleShutdown,
  openShardMapSource,
  retryUntilDone,
  startOpsServer,
  startService,
} from '@mailcluster/common';
import {
  MAIL_IN_STREAM,
  WRITER_CONSUMER,
  connectNats,
  ensureMailStreams,
  ensureWriterConsumer,
  openBlobStore,
  startConsumerLoop,
} from '@mailcluster/queue';
import { MailStore } from '@mailcluster/store';
import { type JsMsg, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Batcher } from './batcher.ts';
import { writerConfigSchema } from './config.ts';
import { MailWriter } from './mail-writer.ts';
import { startDomainSync } from './domain-sync.ts';
import { writerMetrics } from './metrics.ts';

const { config, log } = startService('writer', writerConfigSchema);
const registry = createMetricsRegistry('writer');
const metrics = writerMetrics(registry);

const shards = await openShardMapSource({ file: config.shardMapFile, dbCount: config.dbUrls.length, log });
const store = MailStore.open(config.dbUrls, shards, { connectionLimit: config.dbConnections });
await retryUntilDone('schema migration', () => store.migrate(), { log });

const nats = await connectNats({ servers: config.natsUrl, name: `writer ${hostname()}`, log });
const jsm = await jetstreamManager(nats.nc);
const streams = { replicas: config.streamReplicas, maxBytes: config.streamMaxBytes, duplicateWindowMs: config.duplicateWindowMs };
await retryUntilDone('stream setup', async () => {
  await ensureMailStreams(jsm, streams, log);
  await ensureWriterConsumer(jsm, config.ackWaitMs);
}, { log });
const js = jetstream(nats.nc);
const blobs = await retryUntilDone(
  'blob store setup',
  () => openBlobStore(js, { replicas: config.streamReplicas, ttlMs: config.blobTtlMs, maxBytes: config.streamMaxBytes }),
  { log },
);

const domainSync = config.domainsFile === undefined ? undefined : startDomainSync({ file: config.domainsFile, store, log });

const writer = new MailWriter({ store, blobs, js, metrics, log, maxDataAttempts: config.maxDataAttempts });
const batcher = new Batcher<JsMsg>(
  { maxItems: config.batchMaxCopies, maxBytes: config.batchMaxBytes, maxWaitMs: config.batchMaxWaitMs },
  (batch) => writer.writeBatch(batch),
);
const consumer = startConsumerLoop({
  js,
  log,
  stream: MAIL_IN_STREAM,
  consumer: WRITER_CONSUMER,
  maxBuffered: config.batchMaxCopies * 2,
  onMessage: (msg) => batcher.add(msg, msg.data.length),
});

const lagTimer = setInterval(() => {
  jsm.consumers.info(MAIL_IN_STREAM, WRITER_CONSUMER).then(
    (info) => {
      metrics.consumerPending.set(info.num_pending);
      metrics.consumerAckPending.set(info.num_ack_pending);
    },
    () => {},
  );
}, 5_000);
lagTimer.unref();

const ops = await startOpsServer({
  listen: config.opsListen,
  registry,
  log,
  readiness: { nats: () => nats.assertConnected() },
});

handleShutdown({
  log,
  timeoutMs: config.drainTimeoutMs,
  stop: async () => {
    ops.markDraining();
    clearInterval(lagTimer);
    domainSync?.stop();
    await consumer.stop();
    await batcher.close();
    await nats.nc.drain();
    shards.close();
    await store.close();
    await ops.close();
  },
});
