import type { Pool, ResultSetHeader, RowDataPacket } from './pools.ts';

/**
 * Server-side web sessions, shared by every web pod: a request can land on any pod, and signing out
 * (or a password change) must end a session everywhere at once, so the session is a row, not a
 * signed cookie. The cookie carries a secret; the row is keyed by its sha256, so a copy of the
 * table does not let anyone sign in.
 */
/** Mail users' sessions (the webmail) and admins' sessions (the admin pages) never share a table. */
export type SessionTable = 'WebSessions' | 'AdminSessions';

/** Both session tables have this shape; `Address` holds the mail address or the admin's name. */
export function sessionTableDdl(table: SessionTable): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  Id BINARY(32) NOT NULL,
  Address VARCHAR(320) NOT NULL,
  CsrfToken CHAR(43) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  CreatedAt DATETIME(3) NOT NULL,
  LastSeenAt DATETIME(3) NOT NULL,
  ExpiresAt DATETIME(3) NOT NULL,
  PRIMARY KEY (Id),
  KEY ByAddress (Address),
  KEY ByExpiry (ExpiresAt)
)`;
}

export interface WebSession {
  id: Buffer;
  address: string;
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

export const SESSION_COLUMNS = ['Id', 'Address', 'CsrfToken', 'CreatedAt', 'LastSeenAt', 'ExpiresAt'] as const;

export function toSession(row: RowDataPacket): WebSession {
  return {
    id: row.Id as Buffer,
    address: String(row.Address),
    csrfToken: String(row.CsrfToken),
    createdAt: row.CreatedAt as Date,
    lastSeenAt: row.LastSeenAt as Date,
    expiresAt: row.ExpiresAt as Date,
  };
}

export async function insertSession(pool: Pool, table: SessionTable, session: WebSession): Promise<void> {
  await pool.execute(
    `INSERT INTO ${table} (Id, Address, CsrfToken, CreatedAt, LastSeenAt, ExpiresAt) VALUES (?, ?, ?, ?, ?, ?)`,
    [session.id, session.address, session.csrfToken, session.createdAt, session.lastSeenAt, session.expiresAt],
  );
}

/** The session with this id if it has not expired. */
export async function findSession(pool: Pool, table: SessionTable, id: Buffer, now: Date): Promise<WebSession | null> {
  const [rows] = await pool.execute<RowDataPacket[]>(
    `SELECT ${SESSION_COLUMNS.join(', ')} FROM ${table} WHERE Id = ? AND ExpiresAt > ?`,
    [id, now],
  );
  const row = rows[0];
  return row ? toSession(row) : null;
}

/** Slides the idle expiry forward (callers do it at most once a minute per session, not per request). */
export async function touchSession(pool: Pool, table: SessionTable, id: Buffer, lastSeenAt: Date, expiresAt: Date): Promise<void> {
  await pool.execute(`UPDATE ${table} SET LastSeenAt = ?, ExpiresAt = ? WHERE Id = ?`, [lastSeenAt, expiresAt, id]);
}

export async function deleteSession(pool: Pool, table: SessionTable, id: Buffer): Promise<void> {
  await pool.execute(`DELETE FROM ${table} WHERE Id = ?`, [id]);
}

/** Ends every session of a user on one db; returns how many. */
export async function deleteUserSessions(pool: Pool, table: SessionTable, address: string): Promise<number> {
  const [result] = await pool.execute<ResultSetHeader>(`DELETE FROM ${table} WHERE Address = ?`, [address]);
  return result.affectedRows;
}

/** Removes expired sessions, a bounded batch at a time. */
export async function purgeExpiredSessions(pool: Pool, table: SessionTable, now: Date, limit = 1000): Promise<number> {
  const [result] = await pool.execute<ResultSetHeader>(`DELETE FROM ${table} WHERE ExpiresAt <= ? LIMIT ${Math.trunc(limit)}`, [now]);
  return result.affectedRows;
}
