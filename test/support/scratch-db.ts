import { randomBytes } from 'node:crypto';
import type { Pool } from '@mailcluster/store';
import { createPool } from 'mysql2/promise';
import { stack } from './stack.ts';

export interface ScratchDb {
  pool: Pool;
  /** Drops the database and closes its pools. */
  drop(): Promise<void>;
}

/**
 * A throwaway `mailcluster_<label>_<random>` database on the stack's db 0 (the stack's user may
 * create those), for tests that need tables no service touches.
 */
export async function scratchDb(label: string): Promise<ScratchDb> {
  const database = `mailcluster_${label}_${randomBytes(4).toString('hex')}`;
  const url = new URL(stack().dbUrls[0] as string);
  const admin = createPool({ uri: url.toString(), connectionLimit: 1 });
  await admin.query(`CREATE DATABASE \`${database}\``);
  url.pathname = `/${database}`;
  const pool = createPool({ uri: url.toString(), connectionLimit: 2, timezone: 'Z' });
  return {
    pool,
    drop: async () => {
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await admin.end();
    },
  };
}
