import type { MailStore } from '@mailcluster/store';
import type { AdminService } from '../admin-service.ts';
import type { OutboundQueue } from '../outbound-queue.ts';
import { formatTable } from './format.ts';

/** What every mailctl command works with: the admin service as the CLI's actor, the store, options. */
export interface CliContext {
  admin: AdminService;
  store: MailStore;
  options: CliOptions;
  /** The first line of standard input (for --password-stdin). */
  readSecret: () => Promise<string>;
  /** The outbound queue; connects to NATS on first use, as only the queue commands need it. */
  outboundQueue: () => Promise<OutboundQueue>;
}

/** The options mailctl knows (node:util parseArgs), shared by every command. */
export const CLI_OPTIONS = {
  'password-stdin': { type: 'boolean' },
  name: { type: 'string' },
  quota: { type: 'string' },
  domain: { type: 'string' },
  search: { type: 'string' },
  after: { type: 'string' },
  before: { type: 'string' },
  limit: { type: 'string' },
  folder: { type: 'string' },
  force: { type: 'boolean' },
  'catch-all': { type: 'string' },
  'no-catch-all': { type: 'boolean' },
  'drop-copy': { type: 'boolean' },
  role: { type: 'string' },
  label: { type: 'string' },
  'expires-days': { type: 'string' },
  actor: { type: 'string' },
  action: { type: 'string' },
  target: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type CliOptions = { [K in keyof typeof CLI_OPTIONS]?: (typeof CLI_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

export type Command = (ctx: CliContext, args: string[]) => Promise<void>;

/** Wrong usage: exit 2 with the message. */
export class UsageError extends Error {}

export function required(value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing ${what}`);
  return value;
}

export function limitOption(options: CliOptions, fallback: number): number {
  const limit = options.limit === undefined ? fallback : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError('--limit must be between 1 and 10000');
  return limit;
}

export function print(options: CliOptions, rows: readonly Record<string, unknown>[], columns: readonly string[]): void {
  process.stdout.write(options.json ? `${JSON.stringify(rows, null, 2)}\n` : formatTable(rows, columns));
}

export function say(text: string): void {
  process.stdout.write(`${text}\n`);
}
