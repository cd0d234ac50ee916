import type { Pool, ResultSetHeader, RowDataPacket } from './pools.ts';

/**
 * Admin accounts and their API tokens, on db 0. Admins are not mail users: they have no mailbox,
 * sign in to the admin pages only, and a mail user's session never reaches an admin route.
 */
export type AdminRole = 'admin' | 'viewer';

export interface AdminAccount {
  name: string;
  passwordHash: string;
  role: AdminRole;
  createdAt: Date;
}

function toRole(value: unknown): AdminRole {
  return value === 'admin' ? 'admin' : 'viewer';
}

export async function insertAdminAccount(directory: Pool, account: Omit<AdminAccount, 'createdAt'>): Promise<boolean> {
  const [result] = await directory.execute<ResultSetHeader>('INSERT IGNORE INTO AdminAccounts (Name, PasswordHash, Role) VALUES (?, ?, ?)', [
    account.name,
    account.passwordHash,
    account.role,
  ]);
  return result.affectedRows === 1;
}

export async function findAdminAccount(directory: Pool, name: string): Promise<AdminAccount | null> {
  const [rows] = await directory.execute<RowDataPacket[]>('SELECT Name, PasswordHash, Role, CreatedAt FROM AdminAccounts WHERE Name = ?', [name]);
  const row = rows[0];
  return row ? { name: String(row.Name), passwordHash: String(row.PasswordHash), role: toRole(row.Role), createdAt: row.CreatedAt as Date } : null;
}

export async function listAdminAccounts(directory: Pool): Promise<Omit<AdminAccount, 'passwordHash'>[]> {
  const [rows] = await directory.query<RowDataPacket[]>('SELECT Name, Role, CreatedAt FROM AdminAccounts ORDER BY Name');
  return rows.map((row) => ({ name: String(row.Name), role: toRole(row.Role), createdAt: row.CreatedAt as Date }));
}

export async function setAdminPasswordHash(directory: Pool, name: string, passwordHash: string): Promise<boolean> {
  const [result] = await directory.execute<ResultSetHeader>('UPDATE AdminAccounts SET PasswordHash = ? WHERE Name = ?', [passwordHash, name]);
  return result.affectedRows === 1;
}

/** Removes an account with its tokens and sessions. */
export async function deleteAdminAccount(directory: Pool, name: string): Promise<boolean> {
  await directory.execute('DELETE FROM AdminTokens WHERE Account = ?', [name]);
  await directory.execute('DELETE FROM AdminSessions WHERE Address = ?', [name]);
  const [result] = await directory.execute<ResultSetHeader>('DELETE FROM AdminAccounts WHERE Name = ?', [name]);
  return result.affectedRows === 1;
}

/** An API token: `Id` is public (listed, named in the audit log), only the sha256 of its secret is stored. */
export interface AdminToken {
  id: string;
  secretHash: Buffer;
  account: string;
  role: AdminRole;
  label: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

function toToken(row: RowDataPacket): AdminToken {
  return {
    id: String(row.Id),
    secretHash: row.SecretHash as Buffer,
    account: String(row.Account),
    role: toRole(row.Role),
    label: String(row.Label),
    createdAt: row.CreatedAt as Date,
    expiresAt: (row.ExpiresAt as Date | null) ?? null,
    lastUsedAt: (row.LastUsedAt as Date | null) ?? null,
  };
}

const TOKEN_COLUMNS = 'Id, SecretHash, Account, Role, Label, CreatedAt, ExpiresAt, LastUsedAt';

export async function insertAdminToken(directory: Pool, token: Omit<AdminToken, 'createdAt' | 'lastUsedAt'>): Promise<void> {
  await directory.execute('INSERT INTO AdminTokens (Id, SecretHash, Account, Role, Label, ExpiresAt) VALUES (?, ?, ?, ?, ?, ?)', [
    token.id,
    token.secretHash,
    token.account,
    token.role,
    token.label,
    token.expiresAt,
  ]);
}

export async function findAdminToken(directory: Pool, id: string): Promise<AdminToken | null> {
  const [rows] = await directory.execute<RowDataPacket[]>(`SELECT ${TOKEN_COLUMNS} FROM AdminTokens WHERE Id = ?`, [id]);
  const row = rows[0];
  return row ? toToken(row) : null;
}

export async function listAdminTokens(directory: Pool, account?: string): Promise<AdminToken[]> {
  const [rows] = account === undefined
    ? await directory.query<RowDataPacket[]>(`SELECT ${TOKEN_COLUMNS} FROM AdminTokens ORDER BY CreatedAt`)
    : await directory.query<RowDataPacket[]>(`SELECT ${TOKEN_COLUMNS} FROM AdminTokens WHERE Account = ? ORDER BY CreatedAt`, [account]);
  return rows.map(toToken);
}

export async function deleteAdminToken(directory: Pool, id: string): Promise<boolean> {
  const [result] = await directory.execute<ResultSetHeader>('DELETE FROM AdminTokens WHERE Id = ?', [id]);
  return result.affectedRows === 1;
}

/** Notes a token's use, at most once a minute (a write per API call would be a write per call). */
export async function touchAdminToken(directory: Pool, id: string): Promise<void> {
  await directory.execute(
    'UPDATE AdminTokens SET LastUsedAt = UTC_TIMESTAMP(3) WHERE Id = ? AND (LastUsedAt IS NULL OR LastUsedAt < UTC_TIMESTAMP(3) - INTERVAL 1 MINUTE)',
    [id],
  );
}
