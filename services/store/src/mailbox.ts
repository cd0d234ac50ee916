import { MAIL_ITEM_COLUMNS, type MailItem, parseCursor, toMailItem } from './mail-item.ts';
import type { Pool } from './pools.ts';
import { FOLDERS } from './schema.ts';
import { readUserMail, removeUserMail, userMailTable, writeUserMail } from './user-mail.ts';

/**
 * The mailbox queries of the web tier: each is one statement on the user's mail table, on an index
 * that starts with `EmailTo`, so its cost follows the page, not the size of the mailbox.
 */

/** A page of one folder, newest first, older than `before` (a MailItem cursor) when given. */
export async function listFolder(
  pool: Pool,
  address: string,
  options: { folder: number; limit: number; before?: string | undefined },
): Promise<MailItem[]> {
  const { sql, params } = folderPageQuery(userMailTable(address), address, options);
  return (await readUserMail(pool, address, sql, params)).map(toMailItem);
}

/**
 * The statement behind listFolder, on any mail table: bench/ runs the very same SELECT on other
 * table layouts and straight through mysql2, so its figures cannot drift from what pages run.
 */
export function folderPageQuery(
  table: string,
  address: string,
  options: { folder: number; limit: number; before?: string | undefined },
): { sql: string; params: unknown[] } {
  const cursor = options.before === undefined ? null : parseCursor(options.before);
  if (options.before !== undefined && cursor === null) throw new RangeError('not a mailbox cursor');
  const params: unknown[] = [address, options.folder];
  if (cursor) params.push(cursor.receivedAt, cursor.receivedAt, cursor.id);
  // Spelled out, not as the row comparison (m.ReceivedAt, m.Id) < (?, ?): MariaDB does not turn that
  // into a range on the index, so a deep page would read every newer row of the folder first.
  const sql = `SELECT ${MAIL_ITEM_COLUMNS} FROM \`${table}\` AS m FORCE INDEX (Mailbox)
      WHERE m.EmailTo = ? AND m.Folder = ? ${cursor ? 'AND (m.ReceivedAt < ? OR (m.ReceivedAt = ? AND m.Id < ?))' : ''}
      ORDER BY m.ReceivedAt DESC, m.Id DESC LIMIT ${clampLimit(options.limit)}`;
  return { sql, params };
}

export function clampLimit(limit: number): number {
  return Math.max(1, Math.min(Math.trunc(limit), 200));
}

/** Unread messages per folder. */
export async function unreadCounts(pool: Pool, address: string): Promise<Map<number, number>> {
  const rows = await readUserMail(
    pool,
    address,
    `SELECT Folder, COUNT(*) AS n FROM \`${userMailTable(address)}\` FORCE INDEX (Counts) WHERE EmailTo = ? AND Seen = 0 GROUP BY Folder`,
    [address],
  );
  return new Map(rows.map((row) => [Number(row.Folder), Number(row.n)]));
}

/** Bytes the mailbox uses (a covering scan of the Counts index). */
export async function mailboxUsage(pool: Pool, address: string): Promise<number> {
  const rows = await readUserMail(
    pool,
    address,
    `SELECT COALESCE(SUM(Size), 0) AS used FROM \`${userMailTable(address)}\` FORCE INDEX (Counts) WHERE EmailTo = ?`,
    [address],
  );
  return Number(rows[0]?.used ?? 0);
}

/** One message of the user with its metadata and raw bytes, or null (also for another user's id). */
export async function getMessage(pool: Pool, address: string, id: number): Promise<(MailItem & MessageExtras) | null> {
  const { sql, params } = messageQuery(userMailTable(address), address, id);
  const row = (await readUserMail(pool, address, sql, params))[0];
  if (!row) return null;
  return {
    ...toMailItem(row),
    messageId: row.MessageId === null ? null : String(row.MessageId),
    inReplyTo: row.InReplyTo === null ? null : String(row.InReplyTo),
    referenceIds: row.ReferenceIds === null ? [] : String(row.ReferenceIds).split(' ').filter((r) => r !== ''),
    raw: row.EmailMessage as Buffer,
  };
}

/** The statement behind getMessage, on any mail table (see folderPageQuery). */
export function messageQuery(table: string, address: string, id: number): { sql: string; params: unknown[] } {
  return {
    sql: `SELECT ${MAIL_ITEM_COLUMNS}, m.MessageId, m.InReplyTo, m.ReferenceIds, m.EmailMessage
       FROM \`${table}\` AS m WHERE m.Id = ? AND m.EmailTo = ?`,
    params: [id, address],
  };
}

export interface MessageExtras {
  messageId: string | null;
  inReplyTo: string | null;
  referenceIds: string[];
  raw: Buffer;
}

export type MessageFlag = 'Seen' | 'Flagged' | 'Answered';

/** Sets or clears a flag on the user's messages among `ids`; returns how many matched. */
export function setFlag(pool: Pool, address: string, ids: readonly number[], flag: MessageFlag, value: boolean): Promise<number> {
  if (ids.length === 0) return Promise.resolve(0);
  return writeUserMail(pool, address, `UPDATE \`${userMailTable(address)}\` SET ${flag} = ? WHERE EmailTo = ? AND Id IN (?)`, [
    value ? 1 : 0,
    address,
    ids,
  ]);
}

/** Moves the user's messages among `ids` to `folder` (the caller checked that the folder exists). */
export function moveMessages(pool: Pool, address: string, ids: readonly number[], folder: number): Promise<number> {
  if (ids.length === 0) return Promise.resolve(0);
  return writeUserMail(pool, address, `UPDATE \`${userMailTable(address)}\` SET Folder = ? WHERE EmailTo = ? AND Id IN (?)`, [
    folder,
    address,
    ids,
  ]);
}

/** Deletes for good: only messages already in Trash, or drafts being replaced. */
export function purgeMessages(pool: Pool, address: string, ids: readonly number[], folder: number): Promise<number> {
  if (ids.length === 0) return Promise.resolve(0);
  return removeUserMail(pool, address, 'Folder = ? AND Id IN (?)', [folder, ids], ids.length);
}

/**
 * "Delete": messages already in Trash are removed for good, the others move to Trash.
 * Returns how many of `ids` were the user's.
 */
export async function deleteMessages(pool: Pool, address: string, ids: readonly number[]): Promise<number> {
  const purged = await purgeMessages(pool, address, ids, FOLDERS.trash);
  const moved = await moveMessages(pool, address, ids, FOLDERS.trash);
  return purged + moved;
}

/** Removes every message of a folder (Trash, Junk), in batches so no statement holds locks long. */
export async function emptyFolder(pool: Pool, address: string, folder: number): Promise<number> {
  let total = 0;
  for (;;) {
    const removed = await removeUserMail(pool, address, 'Folder = ?', [folder], 1000);
    total += removed;
    if (removed < 1000) return total;
  }
}
