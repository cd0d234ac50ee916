import type { Pool, RowDataPacket } from './pools.ts';

/** A domain's DKIM signing key (on db 0, beside the domain). */
export interface DkimKey {
  domain: string;
  selector: string;
  /** PKCS#8 PEM. */
  privateKey: string;
}

export async function findDkimKey(directory: Pool, domain: string): Promise<DkimKey | null> {
  const [rows] = await directory.execute<RowDataPacket[]>('SELECT Domain, Selector, PrivateKey FROM DkimKeys WHERE Domain = ?', [domain]);
  const row = rows[0];
  return row ? { domain: String(row.Domain), selector: String(row.Selector), privateKey: String(row.PrivateKey) } : null;
}

/**
 * Stores a key unless the domain has one, and returns the one in force: when two delivery workers
 * make a key for the same domain at once, both end up signing with the first that was stored.
 */
export async function addDkimKeyIfAbsent(directory: Pool, key: DkimKey): Promise<DkimKey> {
  await directory.execute('INSERT IGNORE INTO DkimKeys (Domain, Selector, PrivateKey) VALUES (?, ?, ?)', [key.domain, key.selector, key.privateKey]);
  const stored = await findDkimKey(directory, key.domain);
  if (stored === null) throw new Error(`DKIM key for ${key.domain} vanished`);
  return stored;
}
