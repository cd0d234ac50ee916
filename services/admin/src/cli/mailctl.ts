#!/usr/bin/env node
import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { ConfigError, createLogger, dbUrls, openShardMapSource, parseConfig } from '@mailcluster/common';
import { FOLDERS, MailStore } from '@mailcluster/store';
import { z } from 'zod';
import { AdminService } from '../admin-service.ts';
import { AdminError } from '../errors.ts';
import { formatTable } from './format.ts';

const USAGE = `mailctl — administer a mailcluster

  mailctl domain add <domain> [--quota <bytes>]    host a domain (idempotent)
  mailctl domain list
  mailctl user add <address> --password-stdin [--name <display name>] [--quota <bytes>]
  mailctl user list [--domain <domain>] [--after <address>] [--limit <n>]
  mailctl mail list <address> [--folder inbox|sent|drafts|trash|junk] [--limit <n>]

Options: --json prints machine-readable output.
Environment: MAILCLUSTER_DB_URLS (mysql:// URLs in db ordinal order), MAILCLUSTER_SHARD_MAP_FILE (optional).
For the local stack: eval "$(hack/stack.sh env)".
Exit codes: 0 done, 1 refused (the message says why), 2 usage or configuration error, 3 failure.`;

const cliConfigSchema = z.object({ dbUrls, shardMapFile: z.string().optional() });

class UsageError extends Error {}

const { values: options, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        'password-stdin': { type: 'boolean' },
        name: { type: 'string' },
        quota: { type: 'string' },
        domain: { type: 'string' },
        after: { type: 'string' },
        limit: { type: 'string' },
        folder: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    process.stderr.write(`mailctl: ${(error as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
})();

function byteCount(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${what} must be a whole number of bytes, got ${JSON.stringify(value)}`);
  return Number(value);
}

function limitOption(fallback: number): number {
  const limit = options.limit === undefined ? fallback : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError('--limit must be between 1 and 10000');
  return limit;
}

function print(rows: Record<string, unknown>[], columns: string[]): void {
  process.stdout.write(options.json ? `${JSON.stringify(rows, null, 2)}\n` : formatTable(rows, columns));
}

type Command = (admin: AdminService, args: string[]) => Promise<void>;

const COMMANDS: Record<string, Command> = {
  async 'domain add'(admin, [domain]) {
    if (domain === undefined) throw new UsageError('domain add needs a domain');
    const added = await admin.addDomain(domain, byteCount(options.quota, '--quota'));
    process.stdout.write(`${added ? 'added' : 'already hosted'}: ${domain.toLowerCase()}\n`);
  },
  async 'domain list'(admin) {
    const domains = await admin.listDomains();
    print(domains.map((d) => ({ domain: d.name, defaultQuotaBytes: d.defaultQuotaBytes })), ['domain', 'defaultQuotaBytes']);
  },
  async 'user add'(admin, [address]) {
    if (address === undefined) throw new UsageError('user add needs an address');
    if (!options['password-stdin']) throw new UsageError('user add needs --password-stdin (the password is read from standard input)');
    const password = (await text(process.stdin)).split(/\r?\n/)[0] ?? '';
    const user = await admin.addUser({ address, password, displayName: options.name, quotaBytes: byteCount(options.quota, '--quota') });
    process.stdout.write(`added: ${user.address}\n`);
  },
  async 'user list'(admin) {
    const users = await admin.listUsers({ domain: options.domain, after: options.after, limit: limitOption(100) });
    print(
      users.map((u) => ({ address: u.address, name: u.displayName, quotaBytes: u.quotaBytes, usedBytes: u.usedBytes, status: u.disabled ? 'disabled' : 'active' })),
      ['address', 'name', 'quotaBytes', 'usedBytes', 'status'],
    );
  },
  async 'mail list'(admin, [address]) {
    if (address === undefined) throw new UsageError('mail list needs an address');
    const folder = options.folder ?? 'inbox';
    if (!isFolderName(folder)) throw new UsageError(`--folder must be one of ${Object.keys(FOLDERS).join(', ')}`);
    const messages = await admin.listMail(address, folder, limitOption(20));
    print(
      messages.map((m) => ({ id: m.id, received: m.receivedAt.toISOString(), from: m.fromAddress || m.emailFrom, subject: m.subject, size: m.size, seen: m.seen })),
      ['id', 'received', 'from', 'subject', 'size', 'seen'],
    );
  },
};

function isFolderName(name: string): name is keyof typeof FOLDERS {
  return Object.hasOwn(FOLDERS, name);
}

async function main(): Promise<number> {
  const [noun, verb, ...args] = positionals;
  const command = COMMANDS[`${noun} ${verb}`];
  if (options.help || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return options.help ? 0 : 2;
  }
  const config = parseConfig(cliConfigSchema);
  const log = createLogger('mailctl', 'warn');
  const shards = await openShardMapSource({ file: config.shardMapFile, dbCount: config.dbUrls.length, log, pollMs: 3_600_000 });
  const store = MailStore.open(config.dbUrls, shards, { connectionLimit: 4 });
  try {
    await store.migrate();
    await command(new AdminService(store), args);
    return 0;
  } finally {
    shards.close();
    await store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof AdminError) {
      process.stderr.write(`mailctl: ${error.message} (${error.code})\n`);
      process.exit(1);
    }
    if (error instanceof UsageError || error instanceof ConfigError) {
      const hint = error instanceof ConfigError ? '\nFor the local stack: eval "$(hack/stack.sh env)"' : '';
      process.stderr.write(`mailctl: ${error.message}${hint}\n`);
      process.exit(2);
    }
    process.stderr.write(`mailctl: failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(3);
  },
);
