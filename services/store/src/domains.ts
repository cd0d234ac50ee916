import type { Pool, ResultSetHeader, RowDataPacket } from './pools.ts';

/**
 * Hosted domains. They live on db 0, the cluster's directory: one small table every service can
 * cache, instead of a copy per db that could disagree.
 */
export interface Domain {
  name: string;
  defaultQuotaBytes: number;
}

export async function addDomain(directory: Pool, domain: Domain): Promise<boolean> {
  const [result] = await directory.execute<ResultSetHeader>(
    'INSERT IGNORE INTO Domains (Name, DefaultQuotaBytes) VALUES (?, ?)',
    [domain.name, domain.defaultQuotaBytes],
  );
  return result.affectedRows === 1;
}

export async function listDomains(directory: Pool): Promise<Domain[]> {
  const [rows] = await directory.query<RowDataPacket[]>('SELECT Name, DefaultQuotaBytes FROM Domains ORDER BY Name');
  return rows.map((row) => ({ name: String(row.Name), defaultQuotaBytes: Number(row.DefaultQuotaBytes) }));
}

export async function findDomain(directory: Pool, name: string): Promise<Domain | null> {
  const [rows] = await directory.execute<RowDataPacket[]>('SELECT Name, DefaultQuotaBytes FROM Domains WHERE Name = ?', [name]);
  const row = rows[0];
  return row ? { name: String(row.Name), defaultQuotaBytes: Number(row.DefaultQuotaBytes) } : null;
}
