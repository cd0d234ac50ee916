import { FOLDERS, type UserFolder } from '@mailcluster/store';

export type FolderRole = keyof typeof FOLDERS | 'user';

/** A folder as pages and the API show it; `token` is how URLs name it (`inbox`, or a user folder's id). */
export interface FolderView {
  id: number;
  token: string;
  name: string;
  role: FolderRole;
  unread: number;
}

const SYSTEM_NAMES: Record<keyof typeof FOLDERS, string> = { inbox: 'Inbox', sent: 'Sent', drafts: 'Drafts', trash: 'Trash', junk: 'Junk' };
const SYSTEM_ROLES = Object.keys(FOLDERS) as (keyof typeof FOLDERS)[];

export function folderViews(userFolders: readonly UserFolder[], unread: ReadonlyMap<number, number>): FolderView[] {
  return [
    ...SYSTEM_ROLES.map((role) => ({ id: FOLDERS[role], token: role, name: SYSTEM_NAMES[role], role, unread: unread.get(FOLDERS[role]) ?? 0 })),
    ...userFolders.map((folder) => ({ id: folder.id, token: String(folder.id), name: folder.name, role: 'user' as const, unread: unread.get(folder.id) ?? 0 })),
  ];
}

/** The folder a URL token names among the user's folders, or undefined. */
export function findFolder(folders: readonly FolderView[], token: string): FolderView | undefined {
  return folders.find((folder) => folder.token === token.toLowerCase());
}

/** Folder names: printable, no leading or trailing space, at most 100 characters. */
export function validFolderName(name: string): string | undefined {
  const trimmed = name.normalize('NFC').trim();
  if (trimmed.length === 0 || trimmed.length > 100 || /[\p{C}]/u.test(trimmed)) return undefined;
  if (SYSTEM_ROLES.some((role) => SYSTEM_NAMES[role].toLowerCase() === trimmed.toLowerCase())) return undefined;
  return trimmed;
}
