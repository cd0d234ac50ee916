import { FOLDERS } from './schema.ts';
import { MYSQL_ERRORS, type Pool, type ResultSetHeader, type RowDataPacket } from './pools.ts';
import { userMailTable, writeUserMail } from './user-mail.ts';

/** A folder a user made; ids start at 100 (below are the system folders, FOLDERS). */
export interface UserFolder {
  id: number;
  name: string;
}

export const FIRST_USER_FOLDER_ID = 100;
/**
 * Folders one user may make. Every page reads them as one JSON value (UserProfile), which MariaDB
 * cuts at group_concat_max_len (1 MiB by default): 1,000 names of at most 100 characters stay
 * well under it.
 */
export const MAX_USER_FOLDERS = 1_000;

export async function listUserFolders(pool: Pool, address: string): Promise<UserFolder[]> {
  const [rows] = await pool.execute<RowDataPacket[]>('SELECT Id, Name FROM Folders WHERE Address = ? ORDER BY Name', [address]);
  return rows.map((row) => ({ id: Number(row.Id), name: String(row.Name) }));
}

export class DuplicateFolderError extends Error {
  override name = 'DuplicateFolderError';
}

export class TooManyFoldersError extends Error {
  override name = 'TooManyFoldersError';
}

function isDuplicate(error: unknown): boolean {
  return (error as { errno?: number }).errno === MYSQL_ERRORS.DUP_ENTRY;
}

/**
 * Creates a folder with the next free id; DuplicateFolderError when the name is taken,
 * TooManyFoldersError when the user has MAX_USER_FOLDERS.
 */
export async function createFolder(pool: Pool, address: string, name: string): Promise<UserFolder> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const [rows] = await pool.execute<RowDataPacket[]>('SELECT COALESCE(MAX(Id), ?) + 1 AS next, COUNT(*) AS folders FROM Folders WHERE Address = ?', [
      FIRST_USER_FOLDER_ID - 1,
      address,
    ]);
    if (Number(rows[0]?.folders) >= MAX_USER_FOLDERS) throw new TooManyFoldersError(`at most ${MAX_USER_FOLDERS} folders`);
    const id = Number(rows[0]?.next);
    try {
      await pool.execute('INSERT INTO Folders (Address, Id, Name) VALUES (?, ?, ?)', [address, id, name]);
      return { id, name };
    } catch (error) {
      if (!isDuplicate(error)) throw error;
      const [taken] = await pool.execute<RowDataPacket[]>('SELECT 1 FROM Folders WHERE Address = ? AND Name = ?', [address, name]);
      if (taken.length > 0) throw new DuplicateFolderError(name);
      // Another request took this id at the same moment: take the next one.
    }
  }
  throw new Error('could not allocate a folder id');
}

/** Renames a folder; false when the user has no such folder. */
export async function renameFolder(pool: Pool, address: string, id: number, name: string): Promise<boolean> {
  try {
    const [result] = await pool.execute<ResultSetHeader>('UPDATE Folders SET Name = ? WHERE Address = ? AND Id = ?', [name, address, id]);
    return result.affectedRows === 1;
  } catch (error) {
    if (isDuplicate(error)) throw new DuplicateFolderError(name);
    throw error;
  }
}

/**
 * Deletes a folder and moves its messages to Trash; false when the user has no such folder. The
 * row goes first, so a move into the folder that races with this fails its folder check instead of
 * filing mail into a folder that no longer exists.
 */
export async function deleteFolder(pool: Pool, address: string, id: number): Promise<boolean> {
  const [result] = await pool.execute<ResultSetHeader>('DELETE FROM Folders WHERE Address = ? AND Id = ?', [address, id]);
  if (result.affectedRows !== 1) return false;
  await writeUserMail(pool, address, `UPDATE \`${userMailTable(address)}\` SET Folder = ? WHERE EmailTo = ? AND Folder = ?`, [
    FOLDERS.trash,
    address,
    id,
  ]);
  return true;
}
