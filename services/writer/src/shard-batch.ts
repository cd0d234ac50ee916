import { type MailStore, type NewMessageRow, type PoolConnection, inTransaction, isDuplicateKeyError, isOutOfSpaceError, isTransientError, storeMessages } from '@mailcluster/store';

/** A copy ready to be stored: its row and where it goes. */
export interface PreparedCopy {
  prefix: string;
  row: NewMessageRow;
}

/** What became of one copy: stored (or already there), try again later, or never storable as it is. */
export type WriteOutcome =
  | { kind: 'stored' }
  | { kind: 'retry'; reason: string; error: unknown }
  | { kind: 'rejected'; reason: string; error: unknown };

function groupByPrefix(copies: readonly PreparedCopy[]): Map<string, NewMessageRow[]> {
  const groups = new Map<string, NewMessageRow[]>();
  for (const copy of copies) {
    const rows = groups.get(copy.prefix);
    if (rows) rows.push(copy.row);
    else groups.set(copy.prefix, [copy.row]);
  }
  return groups;
}

/**
 * How often a batch is run again when another writer stored one of its copies at the same moment
 * (a redelivery racing the original): each run sees more of them as stored, so a few suffice.
 */
const DUPLICATE_RACE_ATTEMPTS = 3;

async function storeInTransaction(conn: PoolConnection, groups: ReadonlyMap<string, NewMessageRow[]>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await inTransaction(conn, () => storeMessages(conn, groups));
      return;
    } catch (error) {
      if (!isDuplicateKeyError(error) || attempt >= DUPLICATE_RACE_ATTEMPTS) throw error;
    }
  }
}

function failure(error: unknown): WriteOutcome {
  if (isOutOfSpaceError(error)) return { kind: 'retry', reason: 'db_full', error };
  return isTransientError(error) ? { kind: 'retry', reason: 'db_unavailable', error } : { kind: 'rejected', reason: 'db_rejected', error };
}

/**
 * Stores the copies bound for one db: one transaction, one multi-row INSERT per mail table, and
 * the new rows' sizes added to their owners' quota use in the same transaction. When
 * the db refuses the batch for its data (not for being unreachable), the copies are stored one by
 * one so that a single bad copy cannot hold back the others.
 * Returns an outcome per copy, in order.
 */
export async function writeDbBatch(store: MailStore, db: number, copies: readonly PreparedCopy[]): Promise<WriteOutcome[]> {
  const groups = groupByPrefix(copies);
  try {
    // Tables first, outside the transaction: DDL would commit it implicitly.
    for (const prefix of groups.keys()) await store.ensureMailTable(db, prefix);
    const conn = await store.pool(db).getConnection();
    try {
      await storeInTransaction(conn, groups);
      conn.release();
    } catch (error) {
      conn.destroy(); // whatever state it is in, do not hand it to the next batch
      throw error;
    }
    return copies.map(() => ({ kind: 'stored' }));
  } catch (error) {
    if (isTransientError(error) || copies.length === 1) return copies.map(() => failure(error));
    return isolate(store, db, copies);
  }
}

async function isolate(store: MailStore, db: number, copies: readonly PreparedCopy[]): Promise<WriteOutcome[]> {
  const outcomes: WriteOutcome[] = [];
  for (const copy of copies) outcomes.push(...(await writeDbBatch(store, db, [copy])));
  return outcomes;
}
