import { hostname as osHostname } from 'node:os';
import { createMetricsRegistry, handleShutdown, retryUntilDone, startOpsServer, startService } from '@mailcluster/common';
import {
  DELIVERY_CONSUMER,
  MAIL_OUT_STREAM,
  MailPublisher,
  ensureDeliveryConsumer,
  openDeliveryState,
  openServiceQueue,
  startConsumerLoop,
} from '@mailcluster/queue';
import { MailStore } from '@mailcluster/store';
import { deliveryConfigSchema } from './config.ts';
import { DeliveryWorker } from './delivery-worker.ts';
import { mxRouter, relayRouter } from './destination.ts';
import { DkimSigner } from './dkim-signer.ts';
import { deliveryMetrics } from './metrics.ts';
import { SmtpPool } from './smtp-pool.ts';

const { config, log } = startService('delivery', deliveryConfigSchema);
const registry = createMetricsRegistry('delivery');
const metrics = deliveryMetrics(registry);

const store = await MailStore.openForService(config, { connectionLimit: 4, log });
const { nats, jsm, js, blobs } = await openServiceQueue(config, {
  name: `delivery ${osHostname()}`,
  log,
  ensureConsumer: (manager) => ensureDeliveryConsumer(manager, config.ackWaitMs),
});
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
    await store.close();
    await ops.close();
  },
});
