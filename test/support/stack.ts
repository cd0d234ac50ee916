import { randomBytes } from 'node:crypto';
import { AdminService } from '@mailcluster/admin';
import { type Logger, addressPrefix, createLogger, mailTableName, openShardMapSource, prefixDb, rendezvousShardMap } from '@mailcluster/common';
import { MailStore, queryMailTable } from '@mailcluster/store';
import { inject } from 'vitest';
import * as control from './stack-control.ts';
import type { StackInfo } from './stack-setup.ts';
import { waitFor } from './wait.ts';

export function stack(): StackInfo {
  return inject('stack');
}

export const testLog: Logger = createLogger('e2e-test', 'silent');

/** A fresh hosted domain name for one test file, so runs and files never see each other's mail. */
export function uniqueDomain(label: string): string {
  return `${label}-${randomBytes(4).toString('hex')}.test`;
}

export function stackStatus(): Promise<control.StackComponent[]> {
  return control.stackStatus(stack().repo);
}

/** `hack/stack.sh start|stop <name>`; start returns once the component is healthy again. */
export function stackCtl(action: 'start' | 'stop', name: string): Promise<void> {
  return control.stackCtl(stack().repo, action, name);
}

/** kill -9 a component of the stack and wait until its process is gone. */
export async function killHard(name: string): Promise<number> {
  const component = (await stackStatus()).find((c) => c.name === name);
  if (!component?.pid) throw new Error(`${name} is not running`);
  const pid = component.pid;
  process.kill(pid, 'SIGKILL');
  await waitFor(`${name} (pid ${pid}) to die`, () => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  }, { timeoutMs: 10_000, intervalMs: 50 });
  return pid;
}

/** A MailStore on the stack's dbs, with the same shard map the services compute. */
export async function openTestStore(): Promise<MailStore> {
  const { dbUrls } = stack();
  const shards = await openShardMapSource({ dbCount: dbUrls.length, log: testLog });
  return MailStore.open(dbUrls, shards, { connectionLimit: 4 });
}

/** Who test set-up acts as in the admin audit log. */
export const TEST_ACTOR = { name: 'test:e2e', role: 'admin' } as const;

/** Hosts `domain` and creates each user (password `correct horse battery`). */
export async function createUsers(store: MailStore, domain: string, locals: readonly string[]): Promise<string[]> {
  const admin = new AdminService(store, TEST_ACTOR);
  await admin.domains.add(domain);
  const addresses = locals.map((local) => `${local}@${domain}`);
  for (const address of addresses) await admin.users.create({ address, password: 'correct horse battery' });
  return addresses;
}

/** The db ordinal an address lives on in the stack (rendezvous over the stack's dbs). */
export function homeDbOf(address: string): number {
  return prefixDb(rendezvousShardMap(stack().dbUrls.length), addressPrefix(address));
}

export interface StoredRow {
  db: number;
  table: string;
  emailTo: string;
  messageId: string | null;
  size: number;
  folder: number;
  seen: boolean;
}

/** Every stored row for the given recipients, wherever it is (all dbs, all mail tables). */
export async function rowsFor(store: MailStore, recipients: readonly string[]): Promise<StoredRow[]> {
  const rows: StoredRow[] = [];
  const wanted = new Set(recipients);
  const tables = [...new Set(recipients.map((r) => mailTableName(addressPrefix(r))))];
  for (const [db, pool] of store.pools.entries()) {
    for (const table of tables) {
      const found = await queryMailTable(pool, `SELECT EmailTo, MessageId, Size, Folder, Seen FROM \`${table}\` WHERE EmailTo IN (?)`, [[...wanted]]);
      for (const row of found) {
        rows.push({
          db,
          table,
          emailTo: String(row.EmailTo),
          messageId: row.MessageId === null ? null : String(row.MessageId),
          size: Number(row.Size),
          folder: Number(row.Folder),
          seen: row.Seen === 1,
        });
      }
    }
  }
  return rows;
}

/** `${recipient} ${messageId}` (plus ` folder=N` outside the Inbox) → how many rows hold that copy. */
export function copyCounts(rows: readonly StoredRow[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of rows) {
    const key = `${row.emailTo} ${row.messageId}${row.folder === 1 ? '' : ` folder=${row.folder}`}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
