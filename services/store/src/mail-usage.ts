import { mailTableName } from '@mailcluster/common';
import { mailboxUsage } from './mailbox.ts';
import { type NewMessageRow, insertNewMessages } from './messages.ts';
import type { Pool, PoolConnection } from './pools.ts';
import { existingMailPrefixes } from './schema.ts';

/**
 * `Users.UsedBytes`: the bytes of a user's stored mail, kept in the same transaction as the rows
 * that change it, so ingest can answer "mailbox full" with one primary-key read (ADR 0011).
 */

/** Adds bytes to users' use; one statement, rows locked in primary-key order (no deadlock between writers). */
export async function addUsage(conn: PoolConnection, bytesByAddress: ReadonlyMap<string, number>): Promise<void> {
  const entries = [...bytesByAddress].filter(([, bytes]) => bytes !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return;
  await conn.query(
    `UPDATE Users SET UsedBytes = UsedBytes + CASE Address ${entries.map(() => 'WHEN ? THEN ?').join(' ')} ELSE 0 END WHERE Address IN (?)`,
    [...entries.flat(), entries.map(([address]) => address)],
  );
}

/** Takes bytes off one user's use (never below zero). */
export async function subtractUsage(conn: PoolConnection, address: string, bytes: number): Promise<void> {
  if (bytes > 0) await conn.query('UPDATE Users SET UsedBytes = UsedBytes - LEAST(UsedBytes, ?) WHERE Address = ?', [bytes, address]);
}

/**
 * Stores rows of several prefixes in the caller's transaction and counts the new ones against
 * their owners' use. May fail with ER_DUP_ENTRY when another
 * transaction stored one of the copies meanwhile (see insertNewMessages): roll back and run again.
 */
export async function storeMessages(conn: PoolConnection, byPrefix: ReadonlyMap<string, readonly NewMessageRow[]>): Promise<void> {
  const added = new Map<string, number>();
  for (const [prefix, rows] of byPrefix) {
    for (const [address, bytes] of await insertNewMessages(conn, prefix, rows)) added.set(address, (added.get(address) ?? 0) + bytes);
  }
  await addUsage(conn, added);
}

/** Sets one user's use from their rows (a repair: `mailctl user recount`). Returns the bytes. */
export async function recountUsage(pool: Pool, address: string): Promise<number> {
  const used = await mailboxUsage(pool, address);
  await pool.query('UPDATE Users SET UsedBytes = ? WHERE Address = ?', [used, address]);
  return used;
}

/** Sets every user's use on one db from the mail tables (schema version 5, when the column starts to count). */
export async function recountAllUsage(conn: PoolConnection): Promise<void> {
  await conn.query('UPDATE Users SET UsedBytes = 0');
  for (const prefix of await existingMailPrefixes(conn)) {
    await conn.query(
      `UPDATE Users u JOIN (SELECT EmailTo, SUM(Size) AS used FROM \`${mailTableName(prefix)}\` GROUP BY EmailTo) m ON m.EmailTo = u.Address SET u.UsedBytes = m.used`,
    );
  }
}
