import { type Pool, type PoolConnection, type PoolOptions, createPool } from 'mysql2/promise';

export type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';

export interface PoolSettings {
  /** Connections per db; the writer's batches and the web tier's reads share them. */
  connectionLimit: number;
  /** A query that waits longer than this for a free connection fails instead of piling up. */
  connectTimeoutMs?: number;
}

/**
 * One mysql2 pool per db ordinal (DESIGN §3: one MySQL-compatible server per ordinal = one shard).
 * Dates are exchanged in UTC; BIGINTs come back as strings when they exceed 2^53.
 */
export function openPools(dbUrls: readonly string[], settings: PoolSettings): Pool[] {
  return dbUrls.map((uri) => {
    const options: PoolOptions = {
      uri,
      connectionLimit: settings.connectionLimit,
      maxIdle: settings.connectionLimit,
      connectTimeout: settings.connectTimeoutMs ?? 5_000,
      enableKeepAlive: true,
      timezone: 'Z',
      dateStrings: false,
      supportBigNumbers: true,
      charset: 'utf8mb4_unicode_ci',
      // mysql2 otherwise captures a stack trace on every query, in case it fails: 6 % of the web
      // pod's CPU on the inbox page (bench/web.ts profile). Errors keep their code and message.
      trace: false,
    };
    return createPool(options);
  });
}

export async function closePools(pools: readonly Pool[]): Promise<void> {
  await Promise.allSettled(pools.map((pool) => pool.end()));
}

/** Runs `work` in a transaction on `conn`: COMMIT when it resolves, ROLLBACK (and rethrow) when it throws. */
export async function inTransaction<T>(conn: PoolConnection, work: () => Promise<T>): Promise<T> {
  await conn.beginTransaction();
  try {
    const result = await work();
    await conn.commit();
    return result;
  } catch (error) {
    await conn.rollback().catch(() => {});
    throw error;
  }
}

/** MySQL error numbers the store reacts to. */
export const MYSQL_ERRORS = {
  DUP_ENTRY: 1062,
  NO_SUCH_TABLE: 1146,
  LOCK_DEADLOCK: 1213,
  LOCK_WAIT_TIMEOUT: 1205,
} as const;

/**
 * Whether the db could not write for want of space: a full disk, or a table at its size limit
 * (`The table '…' is full`). It passes once an operator frees or adds space.
 */
export function isOutOfSpaceError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return code === 'ER_RECORD_FILE_FULL' || code === 'ER_DISK_FULL' || /No space left on device/i.test(error.message);
}

/**
 * Whether an error is about the db (down, restarting, network, a lock conflict, out of space), not
 * about the data: such errors are retried for as long as it takes and never count against a message.
 */
export function isTransientError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (isOutOfSpaceError(error)) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|PROTOCOL_CONNECTION_LOST|PROTOCOL_SEQUENCE_TIMEOUT|ER_SERVER_SHUTDOWN|ER_CON_COUNT_ERROR|ER_LOCK_DEADLOCK|ER_LOCK_WAIT_TIMEOUT|ER_QUERY_INTERRUPTED|ER_CONNECTION_KILLED)$/.test(code)) {
    return true;
  }
  return (error as { fatal?: unknown }).fatal === true || /connection.*(closed|lost)|Pool is closed|Can't add new command when connection is in closed state/i.test(error.message);
}
