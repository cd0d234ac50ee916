import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { addressDomain, addressPrefix } from '@mailcluster/common';
import { DuplicateUserError, type MailStore, type NewUser, type Pool, aliasAddresses, existingUsers, insertUsers, listDomains } from '@mailcluster/store';
import type { AuditLog } from '../audit-log.ts';
import { AdminError, type AdminErrorCode } from '../errors.ts';
import { isArgon2Hash, parseAddress, parseDisplayName, parseQuota } from '../inputs.ts';
import { hashPassword, passwordProblem } from '../passwords.ts';
import { POSITIONAL_COLUMNS, type UserCsvColumn, csvFields, headerColumns, userRecord } from './user-csv.ts';

export interface ImportCounts {
  /** Records read (a header is not one). */
  lines: number;
  created: number;
  /** Users that were there already and were left as they are (what makes a re-run change nothing). */
  existing: number;
  rejected: number;
  /** Input bytes read so far (for a progress bar over a file of known size). */
  bytes: number;
}

export interface Rejection {
  line: number;
  code: AdminErrorCode;
  reason: string;
}

export interface ImportSummary extends ImportCounts {
  rejections: Rejection[];
  /** Lines whose password was plain and had to be hashed here. */
  hashed: number;
  seconds: number;
}

export interface ImportOptions {
  /** Named in the audit entry (a file name, `api`). */
  source: string;
  onProgress?: (counts: ImportCounts) => void;
  /** Lines per batch: one existence query and one INSERT per db each. */
  batchSize?: number;
}

/** A line that passed the checks that need no db, waiting for its batch. */
interface Candidate {
  line: number;
  user: NewUser;
  /** Set when the line had a plain password: hashed only if the user does not exist yet. */
  plainPassword: string | undefined;
}

/**
 * Bulk creation of users from the user CSV (see user-csv.ts), streamed: memory holds one batch,
 * whatever the file's size. Each line is created, found existing (left untouched: running the same
 * file again changes nothing), or rejected with its line number and reason; a bad line never stops
 * the others. Existence is checked before any plain password is hashed, so a re-run costs no
 * argon2 work. Hashing (~40 ms of CPU each) runs on libuv's pool through @node-rs/argon2, as many
 * at once as there are cores: worker threads would add nothing to a native hash that already runs
 * off the main thread.
 */
export class UserImport {
  readonly #store: MailStore;
  readonly #audit: AuditLog;

  constructor(store: MailStore, audit: AuditLog) {
    this.#store = store;
    this.#audit = audit;
  }

  run(input: Readable, options: ImportOptions): Promise<ImportSummary> {
    // The audit entry is written when the run ends, with the counts as they ended.
    const detail: Record<string, unknown> = { source: options.source };
    return this.#audit.change('user.import', options.source, detail, async () => {
      const summary = await this.#run(input, options);
      Object.assign(detail, { lines: summary.lines, created: summary.created, existing: summary.existing, rejected: summary.rejected });
      return summary;
    });
  }

  async #run(input: Readable, options: ImportOptions): Promise<ImportSummary> {
    const started = performance.now();
    const domains = new Map((await listDomains(this.#store.directory)).map((d) => [d.name, d]));
    const counts: ImportCounts = { lines: 0, created: 0, existing: 0, rejected: 0, bytes: 0 };
    const rejections: Rejection[] = [];
    let hashed = 0;
    const reject = (line: number, error: unknown) => {
      const known = error instanceof AdminError ? error : undefined;
      if (!known) throw error;
      counts.rejected++;
      rejections.push({ line, code: known.code, reason: known.message });
    };

    let columns: ReadonlyMap<UserCsvColumn, number> | undefined;
    let batch: Candidate[] = [];
    const flush = async () => {
      hashed += await this.#storeBatch(batch, counts, reject);
      batch = [];
      options.onProgress?.({ ...counts });
    };

    let lineNumber = 0;
    for await (const text of createInterface({ input, crlfDelay: Infinity })) {
      lineNumber++;
      counts.bytes += Buffer.byteLength(text) + 1;
      const line = lineNumber === 1 ? text.replace(/^\uFEFF/, '') : text;
      if (line.trim() === '') continue;
      try {
        const fields = csvFields(line);
        if (columns === undefined) {
          const header = headerColumns(fields);
          columns = header ?? POSITIONAL_COLUMNS;
          if (header !== null) continue;
        }
        counts.lines++;
        batch.push(candidate(lineNumber, userRecord(fields, columns), domains));
      } catch (error) {
        if (columns === undefined) throw error; // a header that names unknown columns: the file is not ours
        reject(lineNumber, error);
      }
      if (batch.length >= (options.batchSize ?? 1_000)) await flush();
    }
    await flush();
    return { ...counts, rejections: rejections.sort((a, b) => a.line - b.line), hashed, seconds: (performance.now() - started) / 1000 };
  }

  /** Creates what is new in one batch, per db; returns how many plain passwords it hashed. */
  async #storeBatch(batch: readonly Candidate[], counts: ImportCounts, reject: (line: number, error: unknown) => void): Promise<number> {
    const byDb = new Map<number, Candidate[]>();
    const firstLine = new Map<string, number>();
    for (const item of batch) {
      const earlier = firstLine.get(item.user.address);
      if (earlier !== undefined) {
        reject(item.line, new AdminError('ADMIN_ERR_DUPLICATE_USER', `${item.user.address} is on line ${earlier} too`));
        continue;
      }
      firstLine.set(item.user.address, item.line);
      const db = this.#store.dbOfPrefix(addressPrefix(item.user.address));
      byDb.set(db, [...(byDb.get(db) ?? []), item]);
    }
    let hashed = 0;
    for (const [db, items] of byDb) {
      const pool = this.#store.pool(db);
      const existing = await existingUsers(pool, items.map((item) => item.user.address));
      counts.existing += existing.size;
      const aliases = await aliasAddresses(pool, items.map((item) => item.user.address));
      for (const item of items) if (aliases.has(item.user.address)) reject(item.line, new AdminError('ADMIN_ERR_ADDRESS_TAKEN', `${item.user.address} is an alias`));
      const fresh = items.filter((item) => !existing.has(item.user.address) && !aliases.has(item.user.address));
      const plain = fresh.filter((item) => item.plainPassword !== undefined);
      await forEachLimited(plain, availableParallelism(), async (item) => {
        item.user.passwordHash = await hashPassword(item.plainPassword as string);
      });
      hashed += plain.length;
      counts.created += await insertNew(pool, fresh, counts);
    }
    return hashed;
  }
}

/** Inserts a batch in one statement; if another admin created one of them meanwhile, one by one. */
async function insertNew(pool: Pool, items: readonly Candidate[], counts: ImportCounts): Promise<number> {
  try {
    await insertUsers(pool, items.map((item) => item.user));
    return items.length;
  } catch (error) {
    if (!(error instanceof DuplicateUserError)) throw error;
  }
  let created = 0;
  for (const item of items) {
    try {
      await insertUsers(pool, [item.user]);
      created++;
    } catch (error) {
      if (!(error instanceof DuplicateUserError)) throw error;
      counts.existing++;
    }
  }
  return created;
}

/** The checks of one line that need no db: address, hosted domain, password or hash, quota, name. */
function candidate(line: number, record: ReturnType<typeof userRecord>, domains: ReadonlyMap<string, { name: string; defaultQuotaBytes: number }>): Candidate {
  const address = parseAddress(record.address);
  const domain = domains.get(addressDomain(address));
  if (domain === undefined) throw new AdminError('ADMIN_ERR_UNKNOWN_DOMAIN', addressDomain(address));
  const password = record.password;
  let plainPassword: string | undefined;
  if (password.startsWith('$argon2')) {
    if (!isArgon2Hash(password)) throw new AdminError('ADMIN_ERR_BAD_HASH', address);
  } else {
    const problem = passwordProblem(password, address);
    if (problem !== undefined) throw new AdminError('ADMIN_ERR_WEAK_PASSWORD', `${address}: ${problem}`);
    plainPassword = password;
  }
  return {
    line,
    plainPassword,
    user: {
      address,
      passwordHash: plainPassword === undefined ? password : '',
      displayName: parseDisplayName(record.name),
      quotaBytes: record.quota.trim() === '' ? domain.defaultQuotaBytes : parseQuota(record.quota),
      domain: domain.name,
    },
  };
}

/** Runs `work` on every item, at most `limit` at a time. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++] as T);
  });
  await Promise.all(lanes);
}
