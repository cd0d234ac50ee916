#!/usr/bin/env node
import { hostname, userInfo } from 'node:os';
import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { ConfigError, createLogger, csv, dbUrls, openShardMapSource, parseConfig } from '@mailcluster/common';
import { attachDeliveryState } from '@mailcluster/queue';
import { MailStore } from '@mailcluster/store';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { z } from 'zod';
import { AdminService } from '../admin-service.ts';
import { AdminError } from '../errors.ts';
import { OutboundQueue } from '../outbound-queue.ts';
import { CLI_OPTIONS, type Command, UsageError } from './cli-context.ts';
import { ADMIN_COMMANDS } from './commands/admin-commands.ts';
import { ALIAS_COMMANDS } from './commands/alias-commands.ts';
import { AUDIT_COMMANDS } from './commands/audit-commands.ts';
import { BULK_COMMANDS, LinesRejected } from './commands/bulk-commands.ts';
import { DOMAIN_COMMANDS } from './commands/domain-commands.ts';
import { MAIL_COMMANDS } from './commands/mail-commands.ts';
import { QUEUE_COMMANDS } from './commands/queue-commands.ts';
import { USER_COMMANDS } from './commands/user-commands.ts';

const USAGE = `mailctl — administer a mailcluster

  mailctl domain add <domain> [--quota <size>]          host a domain (idempotent); --quota: default for its new users
  mailctl domain list
  mailctl domain set <domain> [--quota <size>] [--catch-all <mailbox> | --no-catch-all]
  mailctl domain remove <domain> [--force]              refused while it has users; --force deletes them and their mail
  mailctl domain dkim <domain>                          the DNS TXT record of its DKIM key (made if absent)
  mailctl user add <address> --password-stdin [--name <display name>] [--quota <size>]
  mailctl user list [--domain <domain>] [--search <start of address or name>] [--after <address>] [--limit <n>]
  mailctl user show <address>
  mailctl user disable|enable <address>
  mailctl user delete <address>                         the user and all their mail
  mailctl user passwd <address> --password-stdin
  mailctl user quota <address> <size>                   0: no limit
  mailctl user forward <address> [<mailbox>...] [--drop-copy]   no mailbox: forwarding off
  mailctl user recount <address>                        recompute quota use from the stored mail
  mailctl user import <file.csv|-> [--json]             address,password,quota,name (password: plain or argon2 hash)
  mailctl user export [<file.csv>] [--domain <domain>]  the same format, with the password hashes
  mailctl alias add <alias> <mailbox>...
  mailctl alias remove <alias> [<mailbox>...]
  mailctl alias list [--domain <domain>] [--after <alias>] [--limit <n>]
  mailctl admin add <name> --password-stdin [--role admin|viewer]
  mailctl admin list | delete <name> | passwd <name> --password-stdin
  mailctl token create <admin> [--role admin|viewer] [--label <text>] [--expires-days <n>]
  mailctl token list [<admin>] | revoke <id>
  mailctl audit list [--actor <a>] [--action <a>] [--target <t>] [--before <id>] [--limit <n>]
  mailctl mail list <address> [--folder inbox|sent|drafts|trash|junk] [--limit <n>]
  mailctl queue list [--limit <n>]                      outbound mail waiting for delivery, with attempts and last error
  mailctl queue retry <id>                              deliver a deferred message now (id: its first 6+ characters)
  mailctl queue drop <id>                               remove it without delivering or bouncing

Sizes: bytes, or with K, M, G, T (binary): 500M, 2G. Options: --json prints machine-readable output.
Environment: MAILCLUSTER_DB_URLS (mysql:// URLs in db ordinal order), MAILCLUSTER_SHARD_MAP_FILE (optional),
MAILCLUSTER_NATS_URL (comma-separated nats:// URLs; for the queue commands).
For the local stack: eval "$(hack/stack.sh env)".
Exit codes: 0 done, 1 refused (the message says why; an import with rejected lines), 2 usage or configuration error, 3 failure.`;

const COMMANDS: Record<string, Command> = {
  ...DOMAIN_COMMANDS,
  ...USER_COMMANDS,
  ...BULK_COMMANDS,
  ...ALIAS_COMMANDS,
  ...ADMIN_COMMANDS,
  ...AUDIT_COMMANDS,
  ...MAIL_COMMANDS,
  ...QUEUE_COMMANDS,
};

const cliConfigSchema = z.object({
  dbUrls,
  shardMapFile: z.string().optional(),
  natsUrl: csv.optional(),
});

/** A short-lived NATS connection: a CLI fails fast when the broker is away, unlike the services. */
async function connectQueue(servers: string[] | undefined): Promise<{ nc: NatsConnection; queue: OutboundQueue }> {
  if (servers === undefined) throw new ConfigError(['MAILCLUSTER_NATS_URL: not set; the queue commands need it']);
  const nc = await connect({ servers, name: `mailctl ${hostname()}`, timeout: 5_000, maxReconnectAttempts: 3 });
  const js = jetstream(nc);
  try {
    return { nc, queue: new OutboundQueue(js, await jetstreamManager(nc), await attachDeliveryState(js)) };
  } catch (error) {
    await nc.close();
    throw error;
  }
}

const { values: options, positionals } = (() => {
  try {
    return parseArgs({ allowPositionals: true, options: CLI_OPTIONS });
  } catch (error) {
    process.stderr.write(`mailctl: ${(error as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
})();

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
  let nats: Promise<{ nc: NatsConnection; queue: OutboundQueue }> | undefined;
  try {
    await store.migrate();
    // mailctl holds the db credentials: it acts as an admin, named by who ran it where.
    const admin = new AdminService(store, { name: `cli:${userInfo().username}@${hostname()}`, role: 'admin' });
    const readSecret = async () => (await text(process.stdin)).split(/\r?\n/)[0] ?? '';
    const outboundQueue = async () => (await (nats ??= connectQueue(config.natsUrl))).queue;
    await command({ admin, store, options, readSecret, outboundQueue }, args);
    return 0;
  } finally {
    await nats?.then(({ nc }) => nc.close(), () => undefined);
    await store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof AdminError || error instanceof LinesRejected) {
      process.stderr.write(`mailctl: ${error.message}${error instanceof AdminError ? ` (${error.code})` : ''}\n`);
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
