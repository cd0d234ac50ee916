import { addressPrefix, mailTableName } from '@mailcluster/common';
import { MYSQL_ERRORS, type Pool, type PoolConnection, type RowDataPacket } from './pools.ts';
import { FOLDERS } from './schema.ts';

/** One row of a mail table, as the writer stores it. */
export interface NewMessageRow {
  emailTo: string;
  emailFrom: string;
  raw: Buffer;
  folder?: number;
  seen?: boolean;
  subject: string;
  fromName: string;
  fromAddress: string;
  toDisplay: string;
  sentAt: Date | null;
  receivedAt: Date;
  size: number;
  snippet: string;
  attachments: readonly { filename: string; contentType: string; size: number }[];
  messageId: string | null;
  inReplyTo: string | null;
  referenceIds: readonly string[];
  bodyText: string;
  /** 32 bytes: sha256 of (recipient, raw as received). */
  dedupeKey: Buffer;
}

const COLUMNS = [
  'EmailTo', 'EmailFrom', 'EmailMessage', 'Folder', 'Seen', 'Subject', 'FromName', 'FromAddress', 'ToDisplay', 'SentAt',
  'ReceivedAt', 'Size', 'Snippet', 'HasAttachments', 'Attachments', 'MessageId', 'InReplyTo', 'ReferenceIds',
  'BodyText', 'DedupeKey',
] as const;

/** Column limits, applied before insert so a long header is cut, not a reason to refuse mail. */
const LIMITS = { subject: 998, name: 320, address: 320, toDisplay: 1000, messageId: 998, snippet: 200, bodyText: 4_000_000 };

function clip(value: string, max: number): string {
  if (value.length <= max) return value;
  // Do not cut a surrogate pair in half: that would be an invalid string for utf8mb4.
  const end = /[\uD800-\uDBFF]/.test(value.charAt(max - 1)) ? max - 1 : max;
  return value.slice(0, end);
}

function clipOrNull(value: string | null, max: number): string | null {
  return value === null ? null : clip(value, max);
}

function values(row: NewMessageRow): unknown[] {
  return [
    row.emailTo,
    row.emailFrom,
    row.raw,
    row.folder ?? FOLDERS.inbox,
    row.seen === true ? 1 : 0,
    clip(row.subject, LIMITS.subject),
    clip(row.fromName, LIMITS.name),
    clip(row.fromAddress, LIMITS.address),
    clip(row.toDisplay, LIMITS.toDisplay),
    row.sentAt,
    row.receivedAt,
    row.size,
    clip(row.snippet, LIMITS.snippet),
    row.attachments.length > 0 ? 1 : 0,
    row.attachments.length > 0 ? JSON.stringify(row.attachments) : null,
    clipOrNull(row.messageId, LIMITS.messageId),
    clipOrNull(row.inReplyTo, LIMITS.messageId),
    row.referenceIds.length > 0 ? row.referenceIds.join(' ') : null,
    clip(row.bodyText, LIMITS.bodyText),
    row.dedupeKey,
  ];
}

const PLACEHOLDERS = `(${COLUMNS.map(() => '?').join(', ')}, UTC_TIMESTAMP(6))`;

/**
 * Inserts the rows of one prefix that are not stored yet, on a connection inside the caller's
 * transaction, and returns the bytes each recipient gained. A row whose DedupeKey is already there
 * counts as stored and adds nothing: that is how a sender's retry, a redelivery or a crash between
 * COMMIT and ack ends as exactly one row, counted once against the quota (ADR 0011). The keys are
 * read first and only the missing rows are inserted with a plain INSERT, so a row stored by
 * another transaction in between fails the statement with ER_DUP_ENTRY (`isDuplicateKeyError`):
 * the caller rolls back and runs the batch again, when the read sees that row. (Never INSERT
 * IGNORE: it would also turn truncation and bad data into warnings and store damaged mail, ADR 0002.)
 */
export async function insertNewMessages(conn: PoolConnection, prefix: string, rows: readonly NewMessageRow[]): Promise<Map<string, number>> {
  const table = mailTableName(prefix);
  const unique = [...new Map(rows.map((row) => [row.dedupeKey.toString('hex'), row])).values()];
  const added = new Map<string, number>();
  if (unique.length === 0) return added;
  const [stored] = await conn.query<RowDataPacket[]>(`SELECT DedupeKey FROM \`${table}\` WHERE DedupeKey IN (?)`, [unique.map((row) => row.dedupeKey)]);
  const known = new Set(stored.map((row) => (row.DedupeKey as Buffer).toString('hex')));
  const fresh = unique.filter((row) => !known.has(row.dedupeKey.toString('hex')));
  if (fresh.length === 0) return added;
  await conn.query(`INSERT INTO \`${table}\` (${COLUMNS.join(', ')}, StoredAt) VALUES ${fresh.map(() => PLACEHOLDERS).join(', ')}`, fresh.flatMap(values));
  for (const row of fresh) added.set(row.emailTo, (added.get(row.emailTo) ?? 0) + row.size);
  return added;
}

/** A duplicate key: here, a copy that another transaction stored while this one was inserting it. */
export function isDuplicateKeyError(error: unknown): boolean {
  return (error as { errno?: number }).errno === MYSQL_ERRORS.DUP_ENTRY;
}

/**
 * Runs a SELECT on a mail table; a table that does not exist yet (no mail ever came for its prefix)
 * reads as empty.
 */
export async function queryMailTable(conn: Pool | PoolConnection, sql: string, params: unknown[]): Promise<RowDataPacket[]> {
  try {
    const [rows] = await conn.query<RowDataPacket[]>(sql, params);
    return rows;
  } catch (error) {
    if ((error as { errno?: number }).errno === MYSQL_ERRORS.NO_SUCH_TABLE) return [];
    throw error;
  }
}

/** A message as a mailbox list shows it. */
export interface MessageSummary {
  id: number;
  emailFrom: string;
  fromName: string;
  fromAddress: string;
  subject: string;
  snippet: string;
  receivedAt: Date;
  size: number;
  seen: boolean;
  flagged: boolean;
  hasAttachments: boolean;
}

/** The newest `limit` messages of one folder of one mailbox, newest first, off the Mailbox index (the admin's view; the web pages with folderPageQuery). */
export async function listMailbox(
  conn: Pool | PoolConnection,
  address: string,
  options: { folder: number; limit: number },
): Promise<MessageSummary[]> {
  const table = mailTableName(addressPrefix(address));
  const rows = await queryMailTable(
    conn,
    `SELECT Id, EmailFrom, FromName, FromAddress, Subject, Snippet, ReceivedAt, Size, Seen, Flagged, HasAttachments
       FROM \`${table}\` FORCE INDEX (Mailbox)
      WHERE EmailTo = ? AND Folder = ?
      ORDER BY ReceivedAt DESC, Id DESC LIMIT ${Math.max(1, Math.min(Math.trunc(options.limit), 500))}`,
    [address, options.folder],
  );
  return rows.map((row) => ({
    id: Number(row.Id),
    emailFrom: String(row.EmailFrom),
    fromName: String(row.FromName),
    fromAddress: String(row.FromAddress),
    subject: String(row.Subject),
    snippet: String(row.Snippet),
    receivedAt: row.ReceivedAt as Date,
    size: Number(row.Size),
    seen: row.Seen === 1,
    flagged: row.Flagged === 1,
    hasAttachments: row.HasAttachments === 1,
  }));
}
