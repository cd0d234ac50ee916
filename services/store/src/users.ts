import type { Pool, RowDataPacket } from './pools.ts';

export interface User {
  address: string;
  passwordHash: string;
  displayName: string;
  quotaBytes: number;
  usedBytes: number;
  disabled: boolean;
  domain: string;
  createdAt: Date;
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
  };
}

const USER_COLUMNS = 'Address, PasswordHash, DisplayName, QuotaBytes, UsedBytes, Disabled, Domain, CreatedAt';

/** The profile row of `address` on its home db, or null. `address` must be normalised. */
export async function findUser(pool: Pool, address: string): Promise<User | null> {
  const [rows] = await pool.execute<RowDataPacket[]>(`SELECT ${USER_COLUMNS} FROM Users WHERE Address = ?`, [address]);
  const row = rows[0];
  return row ? toUser(row) : null;
}

export class DuplicateUserError extends Error {
  override name = 'DuplicateUserError';
}

/** Creates the profile row on the user's home db; DuplicateUserError when it exists. */
export async function insertUser(pool: Pool, user: NewUser): Promise<void> {
  try {
    await pool.execute(
      'INSERT INTO Users (Address, PasswordHash, DisplayName, QuotaBytes, Domain) VALUES (?, ?, ?, ?, ?)',
      [user.address, user.passwordHash, user.displayName ?? '', user.quotaBytes ?? 0, user.domain],
    );
  } catch (error) {
    if ((error as { errno?: number }).errno === 1062) throw new DuplicateUserError(`user ${user.address} already exists`);
    throw error;
  }
}

/** Users of one db, in address order, `limit` at a time after `after` (keyset paging). */
export async function listUsers(
  pool: Pool,
  options: { domain?: string | undefined; after?: string | undefined; limit: number },
): Promise<User[]> {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (options.domain !== undefined) {
    where.push('Domain = ?');
    params.push(options.domain);
  }
  if (options.after !== undefined) {
    where.push('Address > ?');
    params.push(options.after);
  }
  const sql = `SELECT ${USER_COLUMNS} FROM Users ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY Address LIMIT ${Number(options.limit)}`;
  const [rows] = await pool.query<RowDataPacket[]>(sql, params);
  return rows.map(toUser);
}
