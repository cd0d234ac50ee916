import { hostname as osHostname } from 'node:os';
import {
  createMetricsRegistry,
  handleShutdown,
  openShardMapSource,
  retryUntilDone,
  startOpsServer,
  startService,
} from '@mailcluster/common';
import {
  DELIVERY_CONSUMER,
  MAIL_OUT_STREAM,
  MailPublisher,
  connectNats,
  ensureDeliveryConsumer,
  ensureMailStreams,
  openBlobStore,
  openDeliveryState,
  startConsumerLoop,
} from '@mailcluster/queue';
import { MailStore } from '@mailcluster/store';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { deliveryConfigSchema } from './config.ts';
import { DeliveryWorker } from './delivery-worker.ts';
import { mxRouter, relayRouter } from './destination.ts';
import { DkimSigner } from './dkim-signer.ts';
import { deliveryMetrics } from './metrics.ts';
import { SmtpPool } from './smtp-pool.ts';

const { config, log } = startService('delivery', deliveryConfigSchema);
const registry = createMetricsRegistry('delivery');
const metrics = deliveryMetrics(registry);

const shards = await openShardMapSource({ file: config.shardMapFile, dbCount: config.dbUrls.length, log });
const store = MailStore.open(config.dbUrls, shards, { connectionLimit: 4 });
await retryUntilDone('schema migration', () => store.migrate(), { log });

const nats = await connectNats({ servers: config.natsUrl, name: `delivery ${osHostname()}`, log });
const jsm = await jetstreamManager(nats.nc);
const streams = { replicas: config.streamReplicas, maxBytes: config.streamMaxBytes, duplicateWindowMs: config.duplicateWindowMs };
await retryUntilDone('stream setup', async () => {
  await ensureMailStreams(jsm, streams, log);
  await ensureDeliveryConsumer(jsm, config.ackWaitMs);
}, { log });
const js = jetstream(nats.nc);
const blobs = await retryUntilDone('blob store setup', () => openBlobStore(js, { replicas: config.streamReplicas, ttlMs: config.blobTtlMs, maxBytes: config.streamMaxBytes }), { log });
// State outlives the message by a day, so a late redelivery still finds it finished.
const state = await retryUntilDone('delivery state setup', () => openDeliveryState(js, { replicas: config.streamReplicas, ttlMs: config.maxLifetimeMs + 86_400_000 }), { log });

const pool = new SmtpPool(config);
const worker = new DeliveryWorker({
  router: config.relayHost ? relayRouter(config.relayHost) : mxRouter(config.dnsServers),
  pool,
  signer: new DkimSigner(store),
  blobs,
  state,
  publisher: new MailPublisher(js, blobs, { inlineMaxBytes: config.inlineMaxBytes, maxPayloadBytes: (nats.nc.info?.max_payload ?? 1024 * 1024) - 4096, timeoutMs: 10_000 }),
  js,
  metrics,
  log,
  settings: config,
});

// Up to `concurrency` deliveries at once; the loop waits for a free slot before taking more.
let running = 0;
let slotFreed: (() => void) | undefined;
const consumer = startConsumerLoop({
  js,
  log,
  stream: MAIL_OUT_STREAM,
  consumer: DELIVERY_CONSUMER,
  maxBuffered: config.concurrency,
  onMessage: async (msg) => {
    while (running >= config.concurrency) await new Promise<void>((resolve) => (slotFreed = resolve));
    running++;
    void worker.handle(msg).finally(() => {
      running--;
      slotFreed?.();
    });
  },
});

const queueTimer = setInterval(() => {
  jsm.streams.info(MAIL_OUT_STREAM).then(
    (info) => {
      metrics.queueMessages.set(info.state.messages);
      metrics.queueOldestSeconds.set(info.state.messages > 0 ? (Date.now() - new Date(info.state.first_ts).getTime()) / 1000 : 0);
    },
    () => {},
  );
}, 10_000);
queueTimer.unref();

const ops = await startOpsServer({ listen: config.opsListen, registry, log, readiness: { nats: () => nats.assertConnected() } });

handleShutdown({
  log,
  timeoutMs: 30_000,
  stop: async () => {
    ops.markDraining();
    clearInterval(queueTimer);
    await consumer.stop();
    while (running > 0) await new Promise<void>((resolve) => (slotFreed = resolve));
    pool.close();
    await nats.nc.drain();
    shards.close();
    await store.close();
    await ops.close();
  },
});
