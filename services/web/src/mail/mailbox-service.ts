import {
  type Conversation,
  DuplicateFolderError,
  FOLDERS,
  type MailItem,
  type MailStore,
  type MessageExtras,
  allowRemoteContent,
  createFolder,
  deleteFolder,
  deleteMessages,
  emptyFolder,
  getMessage,
  isRemoteContentAllowed,
  listConversations,
  listFolder,
  listUserFolders,
  moveMessages,
  renameFolder,
  searchMail,
  setFlag,
  TooManyFoldersError,
  threadOf,
  unreadCounts,
  type User,
  type UserFolder,
} from '@mailcluster/store';
import { WebError } from '../errors.ts';
import { type FolderView, findFolder, folderViews, validFolderName } from './folders.ts';

export const MESSAGE_ACTIONS = ['read', 'unread', 'flag', 'unflag', 'move', 'delete'] as const;
export type MessageAction = (typeof MESSAGE_ACTIONS)[number];

export interface Quota {
  usedBytes: number;
  /** 0: no limit. */
  limitBytes: number;
}

/** A user's quota use as pages show it (a missing user has used nothing of nothing). */
export function quotaOf(user: Pick<User, 'usedBytes' | 'quotaBytes'> | null): Quota {
  return { usedBytes: user?.usedBytes ?? 0, limitBytes: user?.quotaBytes ?? 0 };
}

/**
 * The mailbox as the signed-in user sees it. Every method takes the user's address from the
 * session and passes it to the store, which filters every statement by it: ids from the request
 * can only ever reach the user's own messages and folders.
 */
export class MailboxService {
  readonly #store: MailStore;

  constructor(store: MailStore) {
    this.#store = store;
  }

  /** All folders with their unread counts; `own`: the user's folders if already read (UserProfile). */
  async folders(address: string, own?: readonly UserFolder[]): Promise<FolderView[]> {
    const pool = this.#store.homePool(address);
    const [user, unread] = await Promise.all([own ?? listUserFolders(pool, address), unreadCounts(pool, address)]);
    return folderViews(user, unread);
  }

  async folder(address: string, token: string): Promise<{ folder: FolderView; folders: FolderView[] }> {
    const folders = await this.folders(address);
    const folder = findFolder(folders, token);
    if (!folder) throw new WebError('WEB_ERR_UNKNOWN_FOLDER');
    return { folder, folders };
  }

  list(address: string, folder: FolderView, limit: number, before?: string): Promise<MailItem[]> {
    return listFolder(this.#store.homePool(address), address, { folder: folder.id, limit, before });
  }

  conversations(address: string, page: number, limit: number): Promise<Conversation[]> {
    return listConversations(this.#store.homePool(address), address, { limit, offset: (page - 1) * limit });
  }

  async message(address: string, id: number): Promise<MailItem & MessageExtras> {
    const message = await getMessage(this.#store.homePool(address), address, id);
    if (message === null) throw new WebError('WEB_ERR_NOT_FOUND');
    return message;
  }

  async thread(address: string, id: number): Promise<MailItem[]> {
    const messages = await threadOf(this.#store.homePool(address), address, id);
    if (messages.length === 0) throw new WebError('WEB_ERR_NOT_FOUND');
    return messages;
  }

  search(address: string, query: string, limit: number): Promise<MailItem[]> {
    return searchMail(this.#store.homePool(address), address, query, limit);
  }

  /** Applies an action to the user's messages among `ids`; returns how many it touched. */
  async act(address: string, ids: readonly number[], action: MessageAction, target?: string): Promise<number> {
    const pool = this.#store.homePool(address);
    switch (action) {
      case 'read':
      case 'unread':
        return setFlag(pool, address, ids, 'Seen', action === 'read');
      case 'flag':
      case 'unflag':
        return setFlag(pool, address, ids, 'Flagged', action === 'flag');
      case 'delete':
        return deleteMessages(pool, address, ids);
      case 'move': {
        const { folder } = await this.folder(address, target ?? '');
        // Drafts are the composer's own rows; nothing else is filed there.
        if (folder.id === FOLDERS.drafts) throw new WebError('WEB_ERR_BAD_REQUEST', 'Messages cannot be moved to Drafts.');
        return moveMessages(pool, address, ids, folder.id);
      }
    }
  }

  async empty(address: string, token: string): Promise<number> {
    const { folder } = await this.folder(address, token);
    if (folder.id !== FOLDERS.trash && folder.id !== FOLDERS.junk) throw new WebError('WEB_ERR_BAD_REQUEST', 'Only Trash and Junk can be emptied.');
    return emptyFolder(this.#store.homePool(address), address, folder.id);
  }

  async createFolder(address: string, name: string): Promise<FolderView> {
    const valid = validFolderName(name);
    if (valid === undefined) throw new WebError('WEB_ERR_BAD_FOLDER_NAME');
    try {
      const folder = await createFolder(this.#store.homePool(address), address, valid);
      return { id: folder.id, token: String(folder.id), name: folder.name, role: 'user', unread: 0 };
    } catch (error) {
      if (error instanceof DuplicateFolderError) throw new WebError('WEB_ERR_FOLDER_EXISTS');
      if (error instanceof TooManyFoldersError) throw new WebError('WEB_ERR_TOO_MANY_FOLDERS');
      throw error;
    }
  }

  async renameFolder(address: string, token: string, name: string): Promise<void> {
    const { folder } = await this.#userFolder(address, token);
    const valid = validFolderName(name);
    if (valid === undefined) throw new WebError('WEB_ERR_BAD_FOLDER_NAME');
    try {
      await renameFolder(this.#store.homePool(address), address, folder.id, valid);
    } catch (error) {
      if (error instanceof DuplicateFolderError) throw new WebError('WEB_ERR_FOLDER_EXISTS');
      throw error;
    }
  }

  async deleteFolder(address: string, token: string): Promise<void> {
    const { folder } = await this.#userFolder(address, token);
    await deleteFolder(this.#store.homePool(address), address, folder.id);
  }

  /** Whether the user chose to always load remote content from this sender. */
  remoteContentAllowed(address: string, sender: string): Promise<boolean> {
    return sender === '' ? Promise.resolve(false) : isRemoteContentAllowed(this.#store.homePool(address), address, sender.toLowerCase());
  }

  async allowRemoteContent(address: string, id: number): Promise<void> {
    const message = await this.message(address, id);
    if (message.fromAddress === '') throw new WebError('WEB_ERR_BAD_REQUEST', 'This message names no sender.');
    await allowRemoteContent(this.#store.homePool(address), address, message.fromAddress.toLowerCase());
  }

  async #userFolder(address: string, token: string): Promise<{ folder: FolderView }> {
    const { folder } = await this.folder(address, token);
    if (folder.role !== 'user') throw new WebError('WEB_ERR_BAD_REQUEST', 'System folders cannot be renamed or deleted.');
    return { folder };
  }
}
