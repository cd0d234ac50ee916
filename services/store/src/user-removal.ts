import { addressPrefix, mailTableName } from '@mailcluster/common';
import { MYSQL_ERRORS, type Pool, type ResultSetHeader, type RowDataPacket } from './pools.ts';

/** Rows deleted per statement, so no statement holds locks long while the users' mail goes. */
const DELETE_BATCH = 5_000;

/** The per-user tables of the web tier, by the column that names the user. */
const USER_ROWS: readonly [table: string, column: string][] = [
  ['Folders', 'Address'],
  ['Contacts', 'Owner'],
  ['UserSettings', 'Address'],
  ['RemoteContentSenders', 'Address'],
  ['WebSessions', 'Address'],
];

/**
 * Deletes users that live on this db with everything of theirs here: their mail (in batches),
 * folders, contacts, settings, sessions, and last their profile rows. Profile rows go last so that
 * a deletion cut short can simply be run again. Returns how many profile rows were deleted.
 */
export async function removeUsersWithMail(pool: Pool, addresses: readonly string[]): Promise<number> {
  if (addresses.length === 0) return 0;
  const byTable = new Map<string, string[]>();
  for (const address of addresses) {
    const table = mailTableName(addressPrefix(address));
    byTable.set(table, [...(byTable.get(table) ?? []), address]);
  }
  for (const [table, owners] of byTable) await deleteInBatches(pool, `DELETE FROM \`${table}\` WHERE EmailTo IN (?) LIMIT ${DELETE_BATCH}`, [owners]);
  for (const [table, column] of USER_ROWS) await pool.query(`DELETE FROM ${table} WHERE ${column} IN (?)`, [addresses]);
  const [result] = await pool.query<ResultSetHeader>('DELETE FROM Users WHERE Address IN (?)', [addresses]);
  return result.affectedRows;
}

async function deleteInBatches(pool: Pool, sql: string, params: unknown[]): Promise<void> {
  for (;;) {
    let removed;
    try {
      [{ affectedRows: removed }] = await pool.query<ResultSetHeader>(sql, params);
    } catch (error) {
      if ((error as { errno?: number }).errno === MYSQL_ERRORS.NO_SUCH_TABLE) return; // no mail ever came for this prefix
      throw error;
    }
    if (removed < DELETE_BATCH) return;
  }
}

/** Addresses of a domain's users on this db, in order, `limit` after `after`. */
export async function domainUserAddresses(pool: Pool, domain: string, after: string, limit: number): Promise<string[]> {
  const [rows] = await pool.query<RowDataPacket[]>(`SELECT Address FROM Users WHERE Domain = ? AND Address > ? ORDER BY Address LIMIT ${Math.trunc(limit)}`, [domain, after]);
  return rows.map((row) => String(row.Address));
}
