import { addressPrefix, mailTableName } from '@mailcluster/common';
import { isOldMailTableError, upgradeMailTable } from './mail-table-shape.ts';
import { queryMailTable } from './messages.ts';
import { subtractUsage } from './mail-usage.ts';
import { MYSQL_ERRORS, type Pool, type PoolConnection, type ResultSetHeader, type RowDataPacket, inTransaction } from './pools.ts';

/**
 * Access to one user's mail for the web tier. The table comes only from the signed-in user's
 * address (never from a request parameter), and every statement filters by `EmailTo`, so an id
 * from another mailbox, even one in the same table, matches nothing.
 */
export function userMailTable(address: string): string {
  return mailTableName(addressPrefix(address));
}

async function withUpgrade<T>(conn: Pool | PoolConnection, address: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!isOldMailTableError(error)) throw error;
    // An older process created this table after the migration (rolling update): bring it up to date.
    await upgradeMailTable(conn, addressPrefix(address));
    return run();
  }
}

/** A SELECT on the user's mail table; a table that does not exist yet reads as empty. */
export function readUserMail(conn: Pool | PoolConnection, address: string, sql: string, params: unknown[]): Promise<RowDataPacket[]> {
  return withUpgrade(conn, address, () => queryMailTable(conn, sql, params));
}

/** An UPDATE or DELETE on the user's mail table; returns the rows changed (0 when there is no table). */
export function writeUserMail(conn: Pool | PoolConnection, address: string, sql: string, params: unknown[]): Promise<number> {
  return withUpgrade(conn, address, async () => {
    try {
      const [result] = await conn.query<ResultSetHeader>(sql, params);
      return result.affectedRows;
    } catch (error) {
      if ((error as { errno?: number }).errno === MYSQL_ERRORS.NO_SUCH_TABLE) return 0;
      throw error;
    }
  });
}

/**
 * Deletes the user's messages that match `where` (at most `limit`) and takes their sizes off the
 * user's quota use in the same transaction: the rows are locked, counted, deleted, subtracted.
 * Returns how many were deleted (0 when there is no table).
 */
export function removeUserMail(pool: Pool, address: string, where: string, params: unknown[], limit: number): Promise<number> {
  const table = userMailTable(address);
  return withUpgrade(pool, address, async () => {
    const conn = await pool.getConnection();
    try {
      return await inTransaction(conn, async () => {
        const [rows] = await conn.query<RowDataPacket[]>(`SELECT Id, Size FROM \`${table}\` WHERE EmailTo = ? AND ${where} LIMIT ${Math.trunc(limit)} FOR UPDATE`, [address, ...params]);
        if (rows.length === 0) return 0;
        await conn.query(`DELETE FROM \`${table}\` WHERE EmailTo = ? AND Id IN (?)`, [address, rows.map((row) => Number(row.Id))]);
        await subtractUsage(conn, address, rows.reduce((sum, row) => sum + Number(row.Size), 0));
        return rows.length;
      });
    } catch (error) {
      if ((error as { errno?: number }).errno === MYSQL_ERRORS.NO_SUCH_TABLE) return 0;
      throw error;
    } finally {
      conn.release();
    }
  });
}
