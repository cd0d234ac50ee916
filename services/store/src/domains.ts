import type { Pool, ResultSetHeader, RowDataPacket } from './pools.ts';

/**
 * Hosted domains. They live on db 0, the cluster's directory: one small table every service can
 * cache, instead of a copy per db that could disagree.
 */
export interface Domain {
  name: string;
  defaultQuotaBytes: number;
  /** The mailbox that gets mail for addresses of the domain that match no user or alias; null: none. */
  catchAll: string | null;
}

const DOMAIN_COLUMNS = 'Name, DefaultQuotaBytes, CatchAll';

function toDomain(row: RowDataPacket): Domain {
  return { name: String(row.Name), defaultQuotaBytes: Number(row.DefaultQuotaBytes), catchAll: row.CatchAll == null ? null : String(row.CatchAll) };
}

export async function addDomain(directory: Pool, domain: { name: string; defaultQuotaBytes: number }): Promise<boolean> {
  const [result] = await directory.execute<ResultSetHeader>(
    'INSERT IGNORE INTO Domains (Name, DefaultQuotaBytes) VALUES (?, ?)',
    [domain.name, domain.defaultQuotaBytes],
  );
  return result.affectedRows === 1;
}

export async function listDomains(directory: Pool): Promise<Domain[]> {
  const [rows] = await directory.query<RowDataPacket[]>(`SELECT ${DOMAIN_COLUMNS} FROM Domains ORDER BY Name`);
  return rows.map(toDomain);
}

export async function findDomain(directory: Pool, name: string): Promise<Domain | null> {
  const [rows] = await directory.execute<RowDataPacket[]>(`SELECT ${DOMAIN_COLUMNS} FROM Domains WHERE Name = ?`, [name]);
  const row = rows[0];
  return row ? toDomain(row) : null;
}

/** Changes a domain's defaults; false when it is not hosted. */
export async function updateDomain(directory: Pool, name: string, change: { defaultQuotaBytes: number } | { catchAll: string | null }): Promise<boolean> {
  const [column, value] = 'defaultQuotaBytes' in change ? ['DefaultQuotaBytes', change.defaultQuotaBytes] : ['CatchAll', change.catchAll];
  const [result] = await directory.execute<ResultSetHeader>(`UPDATE Domains SET ${column} = ? WHERE Name = ?`, [value, name]);
  return result.affectedRows === 1;
}

export async function removeDomain(directory: Pool, name: string): Promise<boolean> {
  const [result] = await directory.execute<ResultSetHeader>('DELETE FROM Domains WHERE Name = ?', [name]);
  return result.affectedRows === 1;
}

