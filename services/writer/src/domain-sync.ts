import { readFile } from 'node:fs/promises';
import { type Logger, isDomainName } from '@mailcluster/common';
import { type MailStore, addDomain } from '@mailcluster/store';

/**
 * Keeps the domains a MailCluster's spec names (a mounted ConfigMap, one per line) hosted in db 0's
 * directory. Adding only: a domain dropped from the spec keeps its users until an admin removes it.
 */
export function startDomainSync(options: { file: string; store: MailStore; log: Logger; intervalMs?: number }): { stop(): void } {
  const { file, store, log } = options;
  let synced = '';
  const sync = async () => {
    const text = await readFile(file, 'utf8');
    if (text === synced) return;
    const domains = text.split('\n').map((line) => line.trim().toLowerCase()).filter((line) => line !== '');
    for (const domain of domains) {
      if (!isDomainName(domain)) {
        log.error({ domain, file }, 'not a domain name; skipped');
        continue;
      }
      if (await addDomain(store.directory, { name: domain, defaultQuotaBytes: 0 })) log.info({ domain }, 'domain from the spec now hosted');
    }
    synced = text;
  };
  const run = () => sync().catch((error: unknown) => log.warn({ err: error, file }, 'domain sync failed; will retry'));
  void run();
  // Polling, because ConfigMap volumes swap a symlink.
  const timer = setInterval(run, options.intervalMs ?? 30_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
