import { MAIL_ITEM_COLUMNS, type MailItem, toMailItem } from './mail-item.ts';
import { subjectThreadKeySql } from './mail-table-shape.ts';
import type { Pool } from './pools.ts';
import { FOLDERS } from './schema.ts';
import { readUserMail, userMailTable } from './user-mail.ts';

/**
 * Conversations across folders (Inbox and Sent together), from the stored ThreadKey. An IMAP
 * webmail has to fetch headers folder by folder to do this; here it is one indexed query.
 */

/** Folders whose mail is not part of a conversation view. */
const OUTSIDE_CONVERSATIONS = [FOLDERS.drafts, FOLDERS.trash, FOLDERS.junk];

/**
 * Every message of the user in the thread of message `id`, oldest first: the same ThreadKey, or,
 * for messages that carry no thread ids, the same normalised subject. Empty when `id` is not the
 * user's. One statement: the message joins its own thread.
 */
export async function threadOf(pool: Pool, address: string, id: number): Promise<MailItem[]> {
  const table = userMailTable(address);
  const rows = await readUserMail(
    pool,
    address,
    `SELECT ${MAIL_ITEM_COLUMNS}
       FROM \`${table}\` AS x
       JOIN \`${table}\` AS m FORCE INDEX (Thread)
         ON m.EmailTo = x.EmailTo AND m.ThreadKey IN (x.ThreadKey, ${subjectThreadKeySql('x.Subject')})
      WHERE x.Id = ? AND x.EmailTo = ? AND m.Folder <> ?
      ORDER BY m.ReceivedAt, m.Id
      LIMIT 500`,
    [id, address, FOLDERS.trash],
  );
  return rows.map(toMailItem);
}

export interface Conversation {
  /** The newest message of the thread (outside Drafts, Trash, Junk). */
  latest: MailItem;
  messages: number;
  unread: number;
}

/**
 * The user's conversations, most recent activity first, `limit` at a time from `offset`. Grouping
 * runs on the covering Thread index; only the newest message of each listed thread is read.
 */
export async function listConversations(pool: Pool, address: string, options: { limit: number; offset: number }): Promise<Conversation[]> {
  const table = userMailTable(address);
  const rows = await readUserMail(
    pool,
    address,
    `SELECT ${MAIL_ITEM_COLUMNS}, g.Messages, g.Unread
       FROM (SELECT ThreadKey, MAX(ReceivedAt) AS LastAt, COUNT(*) AS Messages, SUM(Seen = 0) AS Unread
               FROM \`${table}\` FORCE INDEX (Thread)
              WHERE EmailTo = ? AND Folder NOT IN (?)
              GROUP BY ThreadKey
              ORDER BY LastAt DESC
              LIMIT ${Math.trunc(options.limit)} OFFSET ${Math.trunc(options.offset)}) AS g
       JOIN \`${table}\` AS m FORCE INDEX (Thread)
         ON m.EmailTo = ? AND m.ThreadKey = g.ThreadKey AND m.ReceivedAt = g.LastAt AND m.Folder NOT IN (?)
      ORDER BY m.ReceivedAt DESC, m.Id DESC`,
    [address, OUTSIDE_CONVERSATIONS, address, OUTSIDE_CONVERSATIONS],
  );
  // Two messages of one thread stored in the same microsecond: keep one row per thread.
  const seen = new Set<string>();
  const conversations: Conversation[] = [];
  for (const row of rows) {
    const latest = toMailItem(row);
    if (seen.has(latest.threadKey)) continue;
    seen.add(latest.threadKey);
    conversations.push({ latest, messages: Number(row.Messages), unread: Number(row.Unread) });
  }
  return conversations;
}
