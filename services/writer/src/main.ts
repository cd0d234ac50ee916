import { hostname } from 'node:os';
import { createMetricsRegistry, handleShutdown, startOpsServer, startService } from '@mailcluster/common';
import { MAIL_IN_STREAM, WRITER_CONSUMER, ensureWriterConsumer, openServiceQueue, startConsumerLoop } from '@mailcluster/queue';
import { MailStore } from '@mailcluster/store';
import type { JsMsg } from '@nats-io/jetstream';
import { Batcher } from './batcher.ts';
import { writerConfigSchema } from './config.ts';
import { MailWriter } from './mail-writer.ts';
import { startDomainSync } from './domain-sync.ts';
import { writerMetrics } from './metrics.ts';

const { config, log } = startService('writer', writerConfigSchema);
const registry = createMetricsRegistry('writer');
const metrics = writerMetrics(registry);

const store = await MailStore.openForService(config, { connectionLimit: config.dbConnections, log });
const { nats, jsm, js, blobs } = await openServiceQueue(config, {
  name: `writer ${hostname()}`,
  log,
  ensureConsumer: (manager) => ensureWriterConsumer(manager, config.ackWaitMs),
});

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
    await store.close();
    await ops.close();
  },
});
