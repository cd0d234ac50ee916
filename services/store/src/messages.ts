import { mailTableName } from '@mailcluster/common';
import type { PoolConnection, ResultSetHeader } from './pools.ts';
import { FOLDERS } from './schema.ts';

/** One row of a mail table, as the writer stores it. */
export interface NewMessageRow {
  emailTo: string;
  emailFrom: string;
  raw: Buffer;
  folder?: number;
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
  'EmailTo', 'EmailFrom', 'EmailMessage', 'Folder', 'Subject', 'FromName', 'FromAddress', 'ToDisplay', 'SentAt',
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
 * Inserts rows of one prefix in one statement, on a connection inside the caller's transaction.
 * A row whose DedupeKey already exists is left as it is and counts as stored: that is how a
 * sender's retry, a redelivery, or a crash between COMMIT and ack ends as exactly one row.
 * (`ON DUPLICATE KEY UPDATE Id = Id`, not `INSERT IGNORE`: IGNORE would also turn truncation and
 * bad-data errors into warnings and store damaged mail.)
 * Returns how many rows were new.
 */
export async function insertMessages(conn: PoolConnection, prefix: string, rows: readonly NewMessageRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const sql = `INSERT INTO \`${mailTableName(prefix)}\` (${COLUMNS.join(', ')}, StoredAt) VALUES ${rows.map(() => PLACEHOLDERS).join(', ')} ON DUPLICATE KEY UPDATE Id = Id`;
  const [result] = await conn.query<ResultSetHeader>(sql, rows.flatMap(values));
  return result.affectedRows;
}
