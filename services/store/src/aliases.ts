import type { Pool, ResultSetHeader, RowDataPacket } from './pools.ts';

/**
 * Aliases: an address without a mailbox whose mail goes to one or more hosted mailboxes. The rows
 * live on the home db of the alias address (one row per target), so ingest finds them with the
 * same routing as a user, and a million aliases spread like a million users.
 */
export interface Alias {
  address: string;
  targets: string[];
}

/** Adds targets to an alias (creating it); returns how many were new. */
export async function addAliasTargets(pool: Pool, alias: { address: string; domain: string }, targets: readonly string[]): Promise<number> {
  const known = new Set(await findAliasTargets(pool, alias.address));
  const fresh = [...new Set(targets)].filter((target) => !known.has(target));
  if (fresh.length > 0) await pool.query('INSERT INTO Aliases (Address, Target, Domain) VALUES ?', [fresh.map((target) => [alias.address, target, alias.domain])]);
  return fresh.length;
}

/** Removes some targets of an alias, or the whole alias when `targets` is empty; returns the rows removed. */
export async function removeAliasTargets(pool: Pool, address: string, targets: readonly string[]): Promise<number> {
  const [result] = targets.length === 0
    ? await pool.query<ResultSetHeader>('DELETE FROM Aliases WHERE Address = ?', [address])
    : await pool.query<ResultSetHeader>('DELETE FROM Aliases WHERE Address = ? AND Target IN (?)', [address, targets]);
  return result.affectedRows;
}

/** The targets of an alias (empty: no such alias). */
export async function findAliasTargets(pool: Pool, address: string): Promise<string[]> {
  const [rows] = await pool.execute<RowDataPacket[]>('SELECT Target FROM Aliases WHERE Address = ? ORDER BY Target', [address]);
  return rows.map((row) => String(row.Target));
}

/** Which of `addresses` (all on this db) are aliases. */
export async function aliasAddresses(pool: Pool, addresses: readonly string[]): Promise<Set<string>> {
  if (addresses.length === 0) return new Set();
  const [rows] = await pool.query<RowDataPacket[]>('SELECT DISTINCT Address FROM Aliases WHERE Address IN (?)', [addresses]);
  return new Set(rows.map((row) => String(row.Address)));
}

/** Aliases of one db in address order, `limit` at a time after `after`. */
export async function listAliases(pool: Pool, options: { domain?: string | undefined; after?: string | undefined; limit: number }): Promise<Alias[]> {
  const where: string[] = [];
  const params: string[] = [];
  if (options.domain !== undefined) {
    where.push('Domain = ?');
    params.push(options.domain);
  }
  if (options.after !== undefined) {
    where.push('Address > ?');
    params.push(options.after);
  }
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT Address, GROUP_CONCAT(Target ORDER BY Target SEPARATOR ' ') AS Targets FROM Aliases
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} GROUP BY Address ORDER BY Address LIMIT ${Math.trunc(options.limit)}`,
    params,
  );
  return rows.map((row) => ({ address: String(row.Address), targets: String(row.Targets).split(' ') }));
}

/** Removes every alias of a domain on this db; returns the rows removed. */
export async function removeDomainAliases(pool: Pool, domain: string): Promise<number> {
  const [result] = await pool.execute<ResultSetHeader>('DELETE FROM Aliases WHERE Domain = ?', [domain]);
  return result.affectedRows;
}
