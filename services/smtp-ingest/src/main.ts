import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  createMetricsRegistry,
  handleShutdown,
  openShardMapSource,
  retryUntilDone,
  startOpsServer,
  startService,
} from '@mailcluster/common';
import { MailPublisher, connectNats, ensureMailStreams, openBlobStore } from '@mailcluster/queue';
import { MailStore } from '@mailcluster/store';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { ingestConfigSchema } from './config.ts';
import { ingestMetrics } from './metrics.ts';
import { Directory } from './smtp/directory.ts';
import { inboundPolicy } from './smtp/inbound-policy.ts';
import { startSmtpListener } from './smtp/smtp-listener.ts';
import { submissionPolicy } from './smtp/submission-policy.ts';

const { config, log } = startService('smtp-ingest', ingestConfigSchema);
const registry = createMetricsRegistry('smtp-ingest');
const metrics = ingestMetrics(registry);

const shards = await openShardMapSource({ file: config.shardMapFile, dbCount: config.dbUrls.length, log });
const store = MailStore.open(config.dbUrls, shards, { connectionLimit: 8 });
await retryUntilDone('schema migration', () => store.migrate(), { log });

const nats = await connectNats({ servers: config.natsUrl, name: `smtp-ingest ${hostname()}`, log });
const streams = { replicas: config.streamReplicas, maxBytes: config.streamMaxBytes, duplicateWindowMs: config.duplicateWindowMs };
await retryUntilDone('stream setup', async () => ensureMailStreams(await jetstreamManager(nats.nc), streams, log), { log });
const js = jetstream(nats.nc, { timeout: config.publishTimeoutMs });
const blobs = await retryUntilDone(
  'blob store setup',
  () => openBlobStore(js, { replicas: config.streamReplicas, ttlMs: config.blobTtlMs, maxBytes: config.streamMaxBytes }),
  { log },
);

const publisher = new MailPublisher(js, blobs, {
  inlineMaxBytes: config.inlineMaxBytes,
  maxPayloadBytes: (nats.nc.info?.max_payload ?? 1024 * 1024) - 4096,
  timeoutMs: config.publishTimeoutMs,
});
const directory = new Directory(store, config.directoryCacheMs);
const tls = config.tlsCertFile !== undefined && config.tlsKeyFile !== undefined
  ? { cert: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsKeyFile) }
  : undefined;
const listenerDeps = { config, tls, publisher, metrics, log };
const listeners = [await startSmtpListener({ ...listenerDeps, policy: inboundPolicy(directory), listen: config.smtpListen })];
if (config.submissionListen !== undefined) {
  const settings = {
    serviceUser: config.submissionServiceUser,
    servicePassword: config.submissionServicePassword,
    outbound: config.outboundEnabled,
    recipientsPerHour: config.submissionRecipientsPerHour,
  };
  listeners.push(await startSmtpListener({ ...listenerDeps, policy: submissionPolicy(directory, store, settings), listen: config.submissionListen }));
}
const ops = await startOpsServer({
  listen: config.opsListen,
  registry,
  log,
  readiness: {
    nats: () => nats.assertConnected(),
    directory: async () => {
      await store.directory.query('SELECT 1');
    },
  },
});

handleShutdown({
  log,
  timeoutMs: config.drainTimeoutMs + 5_000,
  stop: async () => {
    ops.markDraining();
    await Promise.all(listeners.map((listener) => listener.drain()));
    await nats.nc.drain();
    shards.close();
    await store.close();
    await ops.close();
  },
});
