import type { Pool, RowDataPacket } from './pools.ts';

/**
 * Failed sign-ins per key (an account, or a client IP), counted in the db so every web pod sees
 * the same count. A run of failures ends `windowSeconds` after the last one.
 */
export interface FailureCount {
  failures: number;
  lastFailureAt: Date;
}

export async function failureCount(pool: Pool, key: Buffer, windowSeconds: number): Promise<FailureCount | null> {
  const [rows] = await pool.execute<RowDataPacket[]>(
    'SELECT Failures, LastFailureAt FROM LoginThrottle WHERE KeyHash = ? AND LastFailureAt > UTC_TIMESTAMP(3) - INTERVAL ? SECOND',
    [key, windowSeconds],
  );
  const row = rows[0];
  return row ? { failures: Number(row.Failures), lastFailureAt: row.LastFailureAt as Date } : null;
}

/** Counts one more failure (a run older than the window starts again at 1). */
export async function recordFailure(pool: Pool, key: Buffer, windowSeconds: number): Promise<void> {
  await pool.execute(
    `INSERT INTO LoginThrottle (KeyHash, Failures, LastFailureAt) VALUES (?, 1, UTC_TIMESTAMP(3))
     ON DUPLICATE KEY UPDATE
       Failures = IF(LastFailureAt > UTC_TIMESTAMP(3) - INTERVAL ? SECOND, Failures + 1, 1),
       LastFailureAt = UTC_TIMESTAMP(3)`,
    [key, windowSeconds],
  );
}

export async function clearFailures(pool: Pool, key: Buffer): Promise<void> {
  await pool.execute('DELETE FROM LoginThrottle WHERE KeyHash = ?', [key]);
}
