import { randomBytes } from 'node:crypto';
import { fixedShardMapSource } from '@mailcluster/common';
import { MailStore, closePools, openPools } from '@mailcluster/store';

export interface ScratchStore {
  store: MailStore;
  database: string;
  /** Drops the database and closes its pools. */
  drop(): Promise<void>;
}

/**
 * A throwaway `mailcluster_bench_<label>_<hex>` database on the db at `dbUrl` (the stack lets its
 * user create `mailcluster_*` databases), migrated by the store like any db, as a one-db MailStore:
 * benchmarks fill it as they like and never touch the stack's own mail tables.
 */
export async function scratchStore(dbUrl: string, label: string, connectionLimit: number): Promise<ScratchStore> {
  const database = `mailcluster_bench_${label}_${randomBytes(3).toString('hex')}`;
  const [admin] = openPools([dbUrl], { connectionLimit: 1 });
  if (admin === undefined) throw new Error('no db URL');
  await admin.query(`CREATE DATABASE \`${database}\``);
  const url = new URL(dbUrl);
  url.pathname = `/${database}`;
  const store = MailStore.open([url.toString()], fixedShardMapSource(1), { connectionLimit });
  const drop = async () => {
    await store.close();
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await closePools([admin]);
  };
  try {
    await store.migrate();
  } catch (error) {
    await drop();
    throw error;
  }
  return { store, database, drop };
}
