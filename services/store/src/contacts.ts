import type { Pool, RowDataPacket } from './pools.ts';

/** The address book of a user, collected from the mail they send. */
export interface Contact {
  address: string;
  name: string;
}

/** Counts one more use of each contact (insert or bump). */
export async function recordContacts(pool: Pool, owner: string, contacts: readonly Contact[]): Promise<void> {
  if (contacts.length === 0) return;
  await pool.query(
    `INSERT INTO Contacts (Owner, Address, Name, TimesUsed, LastUsedAt) VALUES ?
     ON DUPLICATE KEY UPDATE TimesUsed = TimesUsed + 1, LastUsedAt = VALUES(LastUsedAt),
       Name = IF(VALUES(Name) = '', Name, VALUES(Name))`,
    [contacts.map((c) => [owner, c.address, c.name, 1, new Date()])],
  );
}

/** `text` as a literal inside a LIKE pattern. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Contacts whose address or name starts with `prefix`, most used first. */
export async function suggestContacts(pool: Pool, owner: string, prefix: string, limit: number): Promise<Contact[]> {
  const like = `${escapeLike(prefix)}%`;
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT Address, Name FROM Contacts WHERE Owner = ? AND (Address LIKE ? OR Name LIKE ?)
      ORDER BY TimesUsed DESC, LastUsedAt DESC LIMIT ${Math.max(1, Math.min(Math.trunc(limit), 50))}`,
    [owner, like, like],
  );
  return rows.map((row) => ({ address: String(row.Address), name: String(row.Name) }));
}
