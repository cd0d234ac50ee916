import type { UserFolder } from './folders.ts';
import type { Pool, RowDataPacket } from './pools.ts';
import { SESSION_COLUMNS, type WebSession, toSession } from './sessions.ts';
import { type UserSettings, settingsOf } from './settings.ts';

/**
 * What every signed-in page shows of its user: name, quota use, webmail settings and own folders.
 * One statement reads it all, with the session row when that is on the same db: on a web pod each
 * query's send costs more than its result (docs/benchmarks.md §4), and a page runs few others.
 */
export interface UserProfile {
  displayName: string;
  quotaBytes: number;
  usedBytes: number;
  settings: UserSettings;
  /** Ordered as the db orders names (ORDER BY Name). */
  folders: UserFolder[];
}

/** `address` is the SQL expression of the user's address in the statement. */
function profileColumns(address: string): string {
  return `u.Address AS ProfileAddress, u.DisplayName, u.QuotaBytes, u.UsedBytes, s.Signature, s.PageSize,
  (SELECT JSON_ARRAYAGG(JSON_ARRAY(f.Id, f.Name) ORDER BY f.Name) FROM Folders f WHERE f.Address = ${address}) AS FolderList`;
}

const PROFILE_SQL = `SELECT ${profileColumns('u.Address')}
  FROM Users u LEFT JOIN UserSettings s ON s.Address = u.Address WHERE u.Address = ?`;

const SESSION_WITH_PROFILE_SQL = `SELECT ${SESSION_COLUMNS.map((column) => `w.${column}`).join(', ')}, ${profileColumns('w.Address')}
  FROM WebSessions w LEFT JOIN Users u ON u.Address = w.Address LEFT JOIN UserSettings s ON s.Address = w.Address
  WHERE w.Id = ? AND w.ExpiresAt > ?`;

function folderList(json: unknown): UserFolder[] {
  // JSON_ARRAYAGG gives NULL for no folders; mysql2 parses the JSON MariaDB marks as such.
  if (json === null) return [];
  if (!Array.isArray(json)) throw new Error(`folder list: expected a JSON array from the db, got ${typeof json}`);
  return (json as [number, string][]).map(([id, name]) => ({ id: Number(id), name: String(name) }));
}

function toProfile(row: RowDataPacket): UserProfile | null {
  if (row.ProfileAddress == null) return null;
  return {
    displayName: String(row.DisplayName),
    quotaBytes: Number(row.QuotaBytes),
    usedBytes: Number(row.UsedBytes),
    settings: settingsOf(row),
    folders: folderList(row.FolderList),
  };
}

/** The profile of `address` on this db, or null when the user has no row here. `address` must be normalised. */
export async function findProfile(pool: Pool, address: string): Promise<UserProfile | null> {
  const [rows] = await pool.execute<RowDataPacket[]>(PROFILE_SQL, [address]);
  const row = rows[0];
  return row ? toProfile(row) : null;
}

/**
 * A mail user's session (as findSession on WebSessions) and, in the same statement, the profile of
 * its user on the same db: null when the user has no row on this db.
 */
export async function findSessionWithProfile(pool: Pool, id: Buffer, now: Date): Promise<{ session: WebSession; profile: UserProfile | null } | null> {
  const [rows] = await pool.execute<RowDataPacket[]>(SESSION_WITH_PROFILE_SQL, [id, now]);
  const row = rows[0];
  return row ? { session: toSession(row), profile: toProfile(row) } : null;
}
