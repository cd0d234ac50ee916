import type { Pool, ResultSetHeader, RowDataPacket } from './pools.ts';

/** What a user sets in the webmail; `null` means "the default". */
export interface UserSettings {
  signature: string;
  pageSize: number | null;
}

/** The settings in a row with Signature and PageSize columns (NULL or absent: the defaults). */
export function settingsOf(row: RowDataPacket | undefined): UserSettings {
  return { signature: row?.Signature == null ? '' : String(row.Signature), pageSize: row?.PageSize == null ? null : Number(row.PageSize) };
}

export async function saveSettings(pool: Pool, address: string, settings: UserSettings): Promise<void> {
  await pool.execute(
    'INSERT INTO UserSettings (Address, Signature, PageSize) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE Signature = VALUES(Signature), PageSize = VALUES(PageSize)',
    [address, settings.signature, settings.pageSize],
  );
}

export async function setDisplayName(pool: Pool, address: string, displayName: string): Promise<void> {
  await pool.execute('UPDATE Users SET DisplayName = ?, UpdatedAt = UTC_TIMESTAMP(3) WHERE Address = ?', [displayName, address]);
}

/** Replaces a password hash, but only if it is still `expected` (a concurrent change wins, not this one). */
export async function replacePasswordHash(pool: Pool, address: string, expected: string, passwordHash: string): Promise<boolean> {
  const [result] = await pool.execute<ResultSetHeader>(
    'UPDATE Users SET PasswordHash = ?, UpdatedAt = UTC_TIMESTAMP(3) WHERE Address = ? AND PasswordHash = ?',
    [passwordHash, address, expected],
  );
  return result.affectedRows === 1;
}

/** Senders whose remote content (images, fonts, CSS) this user loads without asking. */
export async function allowRemoteContent(pool: Pool, address: string, sender: string): Promise<void> {
  await pool.execute('INSERT INTO RemoteContentSenders (Address, Sender) VALUES (?, ?) ON DUPLICATE KEY UPDATE Sender = Sender', [address, sender]);
}

export async function isRemoteContentAllowed(pool: Pool, address: string, sender: string): Promise<boolean> {
  const [rows] = await pool.execute<RowDataPacket[]>('SELECT 1 FROM RemoteContentSenders WHERE Address = ? AND Sender = ?', [address, sender]);
  return rows.length > 0;
}
