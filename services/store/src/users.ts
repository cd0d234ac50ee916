import { escapeLike } from './contacts.ts';
import { MYSQL_ERRORS, type Pool, type ResultSetHeader, type RowDataPacket } from './pools.ts';

export interface User {
  address: string;
  passwordHash: string;
  displayName: string;
  quotaBytes: number;
  usedBytes: number;
  disabled: boolean;
  domain: string;
  createdAt: Date;
  /** Hosted mailboxes that get a copy of every message to this user (forwarding); empty: none. */
  forwardTo: string[];
  /** With forwarding: whether the user's own mailbox keeps a copy too. */
  keepForwardedCopy: boolean;
}

export interface NewUser {
  address: string;
  passwordHash: string;
  displayName?: string;
  quotaBytes?: number;
  domain: string;
}

function toUser(row: RowDataPacket): User {
  return {
    address: String(row.Address),
    passwordHash: String(row.PasswordHash),
    displayName: String(row.DisplayName),
    quotaBytes: Number(row.QuotaBytes),
    usedBytes: Number(row.UsedBytes),
    disabled: row.Disabled === 1,
    domain: String(row.Domain),
    createdAt: row.CreatedAt as Date,
    forwardTo: row.ForwardTo == null || row.ForwardTo === '' ? [] : String(row.ForwardTo).split(' '),
    keepForwardedCopy: row.KeepForwardedCopy !== 0,
  };
}

const USER_COLUMNS = 'Address, PasswordHash, DisplayName, QuotaBytes, UsedBytes, Disabled, Domain, CreatedAt, ForwardTo, KeepForwardedCopy';

/** The profile row of `address` on its home db, or null. `address` must be normalised. */
export async function findUser(pool: Pool, address: string): Promise<User | null> {
  const [rows] = await pool.execute<RowDataPacket[]>(`SELECT ${USER_COLUMNS} FROM Users WHERE Address = ?`, [address]);
  const row = rows[0];
  return row ? toUser(row) : null;
}

export class DuplicateUserError extends Error {
  override name = 'DuplicateUserError';
}

/**
 * Creates profile rows on their home db in one statement (all or none); DuplicateUserError when
 * one exists. Callers that must not fail on existing users ask `existingUsers` first.
 */
export async function insertUsers(pool: Pool, users: readonly NewUser[]): Promise<void> {
  if (users.length === 0) return;
  try {
    await pool.query('INSERT INTO Users (Address, PasswordHash, DisplayName, QuotaBytes, Domain) VALUES ?', [
      users.map((user) => [user.address, user.passwordHash, user.displayName ?? '', user.quotaBytes ?? 0, user.domain]),
    ]);
  } catch (error) {
    if ((error as { errno?: number }).errno === MYSQL_ERRORS.DUP_ENTRY) throw new DuplicateUserError(`a user of ${users.map((u) => u.address).join(', ').slice(0, 200)} already exists`);
    throw error;
  }
}

/** Which of `addresses` (all on this db) have a profile row. */
export async function existingUsers(pool: Pool, addresses: readonly string[]): Promise<Set<string>> {
  if (addresses.length === 0) return new Set();
  const [rows] = await pool.query<RowDataPacket[]>('SELECT Address FROM Users WHERE Address IN (?)', [addresses]);
  return new Set(rows.map((row) => String(row.Address)));
}

export interface UserQuery {
  domain?: string | undefined;
  /** Addresses or display names that start with this (case-insensitive). */
  search?: string | undefined;
  after?: string | undefined;
  limit: number;
}

/** Users of one db, in address order, `limit` at a time after `after` (keyset paging). */
export async function listUsers(pool: Pool, options: UserQuery): Promise<User[]> {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (options.domain !== undefined) {
    where.push('Domain = ?');
    params.push(options.domain);
  }
  if (options.search !== undefined && options.search !== '') {
    where.push('(Address LIKE ? OR DisplayName LIKE ?)');
    const like = `${escapeLike(options.search)}%`;
    params.push(like, like);
  }
  if (options.after !== undefined) {
    where.push('Address > ?');
    params.push(options.after);
  }
  const sql = `SELECT ${USER_COLUMNS} FROM Users ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY Address LIMIT ${Number(options.limit)}`;
  const [rows] = await pool.query<RowDataPacket[]>(sql, params);
  return rows.map(toUser);
}

/** Whether any user of `domain` has its profile row on this db. */
export async function hasDomainUsers(pool: Pool, domain: string): Promise<boolean> {
  const [rows] = await pool.execute<RowDataPacket[]>('SELECT 1 FROM Users WHERE Domain = ? LIMIT 1', [domain]);
  return rows.length > 0;
}

/** The columns an admin may change, with their values; false when there is no such user. */
export type UserChange =
  | { disabled: boolean }
  | { quotaBytes: number }
  | { passwordHash: string }
  | { forwardTo: readonly string[]; keepForwardedCopy: boolean };

export async function updateUser(pool: Pool, address: string, change: UserChange): Promise<boolean> {
  const columns: Record<string, string | number | null> =
    'disabled' in change ? { Disabled: change.disabled ? 1 : 0 }
    : 'quotaBytes' in change ? { QuotaBytes: change.quotaBytes }
    : 'passwordHash' in change ? { PasswordHash: change.passwordHash }
    : { ForwardTo: change.forwardTo.length === 0 ? null : change.forwardTo.join(' '), KeepForwardedCopy: change.keepForwardedCopy ? 1 : 0 };
  const sets = Object.keys(columns).map((column) => `${column} = ?`);
  const [result] = await pool.execute<ResultSetHeader>(
    `UPDATE Users SET ${sets.join(', ')}, UpdatedAt = UTC_TIMESTAMP(3) WHERE Address = ?`,
    [...Object.values(columns), address],
  );
  return result.affectedRows === 1;
}
