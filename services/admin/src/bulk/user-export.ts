import type { Writable } from 'node:stream';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type MailStore, listUsers } from '@mailcluster/store';
import type { AuditLog } from '../audit-log.ts';
import { parseDomain } from '../inputs.ts';
import { mergeByAddress } from '../merge-pages.ts';
import { USER_CSV_COLUMNS, csvLine } from './user-csv.ts';

/** Users read per db per round: one index range each. */
const PAGE = 1_000;

/**
 * Every user (or a domain's) as the user CSV, header first, in address order across the dbs,
 * streamed a page at a time: what import reads, so an export can be imported elsewhere. It holds
 * the stored argon2 hashes, so exporting is a change-level action (admins only) and audited.
 */
export class UserExport {
  readonly #store: MailStore;
  readonly #audit: AuditLog;

  constructor(store: MailStore, audit: AuditLog) {
    this.#store = store;
    this.#audit = audit;
  }

  /** Writes the CSV to `sink` (left open when `end` is false); `onPage` hears the users written so far. Returns how many. */
  run(sink: Writable, options: { domain?: string | undefined; end?: boolean; onPage?: (users: number) => void }): Promise<number> {
    const detail: Record<string, unknown> = { domain: options.domain ?? null };
    return this.#audit.change('user.export', options.domain ?? '*', detail, async () => {
      const domain = options.domain === undefined ? undefined : parseDomain(options.domain);
      let users = 0;
      const store = this.#store;
      const chunks = async function* () {
        yield csvLine(USER_CSV_COLUMNS);
        let after: string | undefined;
        for (;;) {
          const page = mergeByAddress(await Promise.all(store.pools.map((pool) => listUsers(pool, { domain, after, limit: PAGE }))), PAGE);
          if (page.length === 0) return;
          yield page.map((user) => csvLine([user.address, user.passwordHash, String(user.quotaBytes), user.displayName])).join('');
          users += page.length;
          options.onPage?.(users);
          after = page.at(-1)?.address;
        }
      };
      await pipeline(Readable.from(chunks()), sink, { end: options.end ?? true });
      detail.users = users;
      return users;
    });
  }
}
