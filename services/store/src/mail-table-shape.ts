import { mailTableName } from '@mailcluster/common';
import type { Pool, PoolConnection, RowDataPacket } from './pools.ts';

/**
 * What the web tier added to every mail table (schema versions 2 and 3): a thread key, the indexes
 * behind conversations, unread counts, quota use, and search. `mailTableDdl` builds new tables
 * with these parts and `upgradeMailTable` adds them to tables made before, from the same fragments,
 * so the two shapes cannot drift apart (test/e2e/mail-table-shape.test.ts compares them).
 */

/** A subject without its reply/forward prefixes (`Re: Fwd: AW: x` → `x`), lower-cased: `col` is a column reference. */
export function normalizedSubjectSql(col: string): string {
  return `LOWER(TRIM(REGEXP_REPLACE(${col}, '(?i)^(\\\\s*((re|fw|fwd|aw|wg|sv|vs|tr|rif|antw|odp)(\\\\[\\\\d+\\\\])?\\\\s*:\\\\s*)+)', '')))`;
}

/** The thread key of a message whose subject is `col` and that carries no thread ids. */
export function subjectThreadKeySql(col: string): string {
  return `UNHEX(MD5(CONCAT('subject:', ${normalizedSubjectSql(col)})))`;
}

/**
 * A message's thread: the root of its References (the first id, which RFC 5322 §3.6.4 asks clients
 * to keep), else its In-Reply-To, else its own Message-ID; a message with none of them falls back
 * to its normalised subject. Stored, so the thread of a message is one index lookup.
 */
export const THREAD_KEY_COLUMN = `ThreadKey BINARY(16) AS (COALESCE(
    UNHEX(MD5(COALESCE(SUBSTRING_INDEX(ReferenceIds, ' ', 1), InReplyTo, MessageId))),
    ${subjectThreadKeySql('Subject')})) STORED`;

/** Indexes added in version 2, as `KEY name (...)` clauses. */
export const MAIL_TABLE_V2_INDEXES: readonly { name: string; clause: string }[] = [
  // A thread's messages; covering for the conversation list (group by thread, unread per thread).
  { name: 'Thread', clause: 'KEY Thread (EmailTo, ThreadKey, Folder, Seen, ReceivedAt)' },
  // Unread per folder (range EmailTo, Seen = 0) and quota use (covering scan of EmailTo).
  { name: 'Counts', clause: 'KEY Counts (EmailTo, Seen, Folder, Size)' },
  // Search in the user's own mail (ADR 0007): every text column a person searches by.
  { name: 'Search', clause: 'FULLTEXT KEY Search (Subject, FromName, FromAddress, ToDisplay, BodyText)' },
  // Newest first across folders: search's fallback for words in most of a mailbox (ADR 0007).
  { name: 'Recent', clause: 'KEY Recent (EmailTo, ReceivedAt)' },
];

/** The full-text columns, in index order: MATCH() must name exactly these. */
export const SEARCH_COLUMNS = 'Subject, FromName, FromAddress, ToDisplay, BodyText';

/** The lines `mailTableDdl` adds to CREATE TABLE (a column, then the keys). */
export function mailTableV2Lines(): string[] {
  return [THREAD_KEY_COLUMN, ...MAIL_TABLE_V2_INDEXES.map((index) => index.clause)];
}

/**
 * Brings one mail table to the version 2 shape, adding only what it lacks, so it is safe to run
 * again, and concurrently with readers. Also run by the web tier when it meets a table that an older
 * process created after the migration (a rolling update).
 */
export async function upgradeMailTable(conn: Pool | PoolConnection, prefix: string): Promise<boolean> {
  const table = mailTableName(prefix);
  const [columns] = await conn.query<RowDataPacket[]>(
    'SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
    [table],
  );
  if (columns.length === 0) return false; // no such table: it will be created in the new shape
  const [indexes] = await conn.query<RowDataPacket[]>(
    'SELECT DISTINCT INDEX_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
    [table],
  );
  const haveColumns = new Set(columns.map((row) => String(row.name)));
  const haveIndexes = new Set(indexes.map((row) => String(row.name)));
  const changes: string[] = [];
  if (!haveColumns.has('ThreadKey')) changes.push(`ADD COLUMN ${THREAD_KEY_COLUMN}`);
  for (const index of MAIL_TABLE_V2_INDEXES) if (!haveIndexes.has(index.name)) changes.push(`ADD ${index.clause}`);
  if (changes.length === 0) return false;
  // The FULLTEXT index cannot be built in the same ALTER as other indexes in InnoDB: one ALTER each.
  for (const change of changes) await conn.query(`ALTER TABLE \`${table}\` ${change}`);
  return true;
}

/** MySQL errors that mean "this table is older than the code": run upgradeMailTable and try again. */
export function isOldMailTableError(error: unknown): boolean {
  const errno = (error as { errno?: unknown }).errno;
  // 1054 unknown column, 1176 key not found (FORCE INDEX), 1191 no FULLTEXT index for MATCH.
  return errno === 1054 || errno === 1176 || errno === 1191;
}
