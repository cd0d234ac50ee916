import { createMetricsRegistry, handleShutdown, startOpsServer, startService } from '@mailcluster/common';
import { MailStore, purgeExpiredSessions } from '@mailcluster/store';
import { buildApp } from './app.ts';
import { webConfigSchema } from './config.ts';
import { submissionMailer } from './mail/mailer.ts';
import { webMetrics } from './metrics.ts';
import { createServices } from './services.ts';

const { config, log } = startService('web', webConfigSchema);
const registry = createMetricsRegistry('web');
const metrics = webMetrics(registry);

const store = await MailStore.openForService(config, { connectionLimit: config.dbConnections, log });

const mailer = submissionMailer(config);
const services = await createServices({ config, store, mailer, log, metrics });
const app = await buildApp(services);
await app.listen({ host: config.webListen.host, port: config.webListen.port });
log.info({ host: config.webListen.host, port: app.server.address() !== null && typeof app.server.address() === 'object' ? (app.server.address() as { port: number }).port : config.webListen.port, url: config.publicUrl }, 'web listening');

// Expired sessions are removed in small batches; any pod may do it, the deletes are idempotent.
const purgeTimer = setInterval(() => {
  const now = new Date();
  // Admin sessions live on db 0 only (the admin tables are cluster-wide).
  const purges = [...store.pools.map((pool) => purgeExpiredSessions(pool, 'WebSessions', now)), purgeExpiredSessions(store.directory, 'AdminSessions', now)];
  for (const purge of purges) purge.catch((error: unknown) => log.warn({ err: error }, 'session purge failed'));
}, 10 * 60_000);
purgeTimer.unref();

const ops = await startOpsServer({
  listen: config.opsListen,
  registry,
  log,
  readiness: {
    db: async () => {
      await Promise.all(store.pools.map((pool) => pool.query('SELECT 1')));
    },
  },
});

handleShutdown({
  log,
  timeoutMs: 20_000,
  stop: async () => {
    ops.markDraining();
    clearInterval(purgeTimer);
    await app.close();
    mailer.close();
    await store.close();
    await ops.close();
  },
});
