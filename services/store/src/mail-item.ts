import type { RowDataPacket } from './pools.ts';

/** A message as the web tier lists it (everything but the raw bytes and the body text). */
export interface MailItem {
  id: number;
  folder: number;
  /** Hex; the same for every message of one conversation. */
  threadKey: string;
  emailFrom: string;
  fromName: string;
  fromAddress: string;
  toDisplay: string;
  subject: string;
  snippet: string;
  sentAt: Date | null;
  receivedAt: Date;
  size: number;
  seen: boolean;
  flagged: boolean;
  answered: boolean;
  hasAttachments: boolean;
  /** Opaque keyset position (receivedAt to the microsecond, id) for "older than this" paging. */
  cursor: string;
}

/** The SELECT list for MailItem, on a table aliased `m`. */
export const MAIL_ITEM_COLUMNS = `m.Id, m.Folder, HEX(m.ThreadKey) AS ThreadKey, m.EmailFrom, m.FromName, m.FromAddress, m.ToDisplay,
  m.Subject, m.Snippet, m.SentAt, m.ReceivedAt, m.Size, m.Seen, m.Flagged, m.Answered, m.HasAttachments,
  DATE_FORMAT(m.ReceivedAt, '%Y%m%d%H%i%s%f') AS ReceivedKey`;

export function toMailItem(row: RowDataPacket): MailItem {
  return {
    id: Number(row.Id),
    folder: Number(row.Folder),
    threadKey: String(row.ThreadKey),
    emailFrom: String(row.EmailFrom),
    fromName: String(row.FromName),
    fromAddress: String(row.FromAddress),
    toDisplay: String(row.ToDisplay),
    subject: String(row.Subject),
    snippet: String(row.Snippet),
    sentAt: (row.SentAt as Date | null) ?? null,
    receivedAt: row.ReceivedAt as Date,
    size: Number(row.Size),
    seen: row.Seen === 1,
    flagged: row.Flagged === 1,
    answered: row.Answered === 1,
    hasAttachments: row.HasAttachments === 1,
    cursor: `${String(row.ReceivedKey)}-${String(row.Id)}`,
  };
}

/** A keyset position parsed back: `null` when the text is not one `toMailItem` made. */
export function parseCursor(cursor: string): { receivedAt: string; id: number } | null {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{6})-([1-9]\d{0,15})$/.exec(cursor);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, us, id] = match;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  // Not a real moment (month 13, 25 o'clock, ...): not a position either.
  if (date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d) || date.getUTCHours() !== Number(h) || date.getUTCMinutes() !== Number(mi) || date.getUTCSeconds() !== Number(s)) return null;
  return { receivedAt: `${y}-${mo}-${d} ${h}:${mi}:${s}.${us}`, id: Number(id) };
}
