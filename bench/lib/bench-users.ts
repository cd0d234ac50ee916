import { Readable } from 'node:stream';
import { AdminService, hashPassword } from '@mailcluster/admin';
import type { MailStore } from '@mailcluster/store';

export const BENCH_PASSWORD = 'bench password 2026';
const ACTOR = { name: 'bench', role: 'admin' } as const;

/**
 * Hosts `domain` and creates the given users through the bulk import (one hash for all, so no
 * argon2 work per user): ~12,000 users/s, so the 150,000 recipients of a long end-to-end run take
 * seconds. Idempotent, like the import.
 */
export async function createBenchUsers(store: MailStore, domain: string, addresses: readonly string[], log?: (line: string) => void): Promise<void> {
  const admin = new AdminService(store, ACTOR);
  await admin.domains.add(domain);
  const hash = await hashPassword(BENCH_PASSWORD);
  const csv = Readable.from((function* () {
    yield 'address,password,quota,name\n';
    // Quoted: an argon2 PHC string holds commas (m=…,t=…,p=…).
    for (const address of addresses) yield `${address},"${hash}",,\n`;
  })());
  const summary = await admin.imports.run(csv, { source: 'bench' });
  if (summary.rejected > 0) throw new Error(`bench users: ${summary.rejected} rejected, first: ${JSON.stringify(summary.rejections[0])}`);
  log?.(`users: ${summary.created.toLocaleString('en-US')} created, ${summary.existing.toLocaleString('en-US')} existing in ${summary.seconds.toFixed(1)} s`);
}
