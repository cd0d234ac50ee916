import { MAIL_ITEM_COLUMNS, type MailItem, toMailItem } from './mail-item.ts';
import { SEARCH_COLUMNS } from './mail-table-shape.ts';
import type { Pool } from './pools.ts';
import { readUserMail, userMailTable } from './user-mail.ts';

/**
 * Search in the user's own mail: subject, sender, recipients and body text, newest first (ADR 0007).
 * The InnoDB FULLTEXT index of the shard table answers in milliseconds while a query matches a
 * few thousand messages. A word found in most of a big mailbox makes it fetch every match before
 * sorting, so it gets a time budget; past it, the user's mail is read newest first through the
 * Recent index until a page of matches is found, which is quick exactly when matches are many.
 */

/** InnoDB's default innodb_ft_min_token_size: shorter words are not in the index. */
export const MIN_SEARCH_WORD = 3;

/** Seconds the full-text query may take before the newest-first scan takes over. */
const FULLTEXT_BUDGET_SECONDS = 0.15;
/** The scan's own bound: a query neither plan can answer in time ends with what it has found. */
const SCAN_BUDGET_SECONDS = 2;
/**
 * A statement stopped by max_statement_time: 1969 (ER_STATEMENT_TIMEOUT), or 188
 * (HA_ERR_ABORTED_BY_USER) when InnoDB was inside its full-text code when the timer struck.
 */
const OUT_OF_TIME = new Set([1969, 188]);
const outOfTime = (error: unknown) => OUT_OF_TIME.has((error as { errno?: number }).errno ?? 0);

/**
 * The words of a query as InnoDB boolean-mode terms: every word required, each a prefix
 * (`+meet*`). Only letters and digits pass, so no operator of the boolean syntax can come from input.
 */
export function searchTerms(query: string): string[] {
  const words = query.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words.filter((word) => [...word].length >= MIN_SEARCH_WORD))].slice(0, 10);
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function searchMail(pool: Pool, address: string, query: string, limit: number): Promise<MailItem[]> {
  const terms = searchTerms(query);
  if (terms.length === 0) return [];
  const table = userMailTable(address);
  const top = Math.max(1, Math.min(Math.trunc(limit), 200));
  try {
    const rows = await readUserMail(
      pool,
      address,
      `SET STATEMENT max_statement_time = ${FULLTEXT_BUDGET_SECONDS} FOR
       SELECT ${MAIL_ITEM_COLUMNS} FROM \`${table}\` AS m
        WHERE MATCH (${SEARCH_COLUMNS}) AGAINST (? IN BOOLEAN MODE) AND m.EmailTo = ?
        ORDER BY m.ReceivedAt DESC, m.Id DESC LIMIT ${top}`,
      [terms.map((term) => `+${term}*`).join(' '), address],
    );
    return rows.map(toMailItem);
  } catch (error) {
    if (!outOfTime(error)) throw error;
  }
  const each = terms.map(() => `CONCAT_WS(' ', m.Subject, m.FromName, m.FromAddress, m.ToDisplay, m.BodyText) LIKE ?`);
  try {
    const rows = await readUserMail(
      pool,
      address,
      `SET STATEMENT max_statement_time = ${SCAN_BUDGET_SECONDS} FOR
       SELECT ${MAIL_ITEM_COLUMNS} FROM \`${table}\` AS m FORCE INDEX (Recent)
        WHERE m.EmailTo = ? AND ${each.join(' AND ')}
        ORDER BY m.ReceivedAt DESC, m.Id DESC LIMIT ${top}`,
      [address, ...terms.map((term) => `%${escapeLike(term)}%`)],
    );
    return rows.map(toMailItem);
  } catch (error) {
    if (outOfTime(error)) return [];
    throw error;
  }
}
