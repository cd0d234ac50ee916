import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { createMetricsRegistry, handleShutdown, startOpsServer, startService } from '@mailcluster/common';
import { MailPublisher, openServiceQueue } from '@mailcluster/queue';
import { MailStore } from '@mailcluster/store';
import { ingestConfigSchema } from './config.ts';
import { ingestMetrics } from './metrics.ts';
import { Directory } from './smtp/directory.ts';
import { inboundPolicy } from './smtp/inbound-policy.ts';
import { startSmtpListener } from './smtp/smtp-listener.ts';
import { submissionPolicy } from './smtp/submission-policy.ts';

const { config, log } = startService('smtp-ingest', ingestConfigSchema);
const registry = createMetricsRegistry('smtp-ingest');
const metrics = ingestMetrics(registry);

const store = await MailStore.openForService(config, { connectionLimit: 8, log });
const { nats, js, blobs } = await openServiceQueue(config, { name: `smtp-ingest ${hostname()}`, log, jetstream: { timeout: config.publishTimeoutMs } });

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
    await store.close();
    await ops.close();
  },
});
