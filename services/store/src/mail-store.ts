import { type Logger, type ShardMapSource, addressPrefix, openShardMapSource, prefixDb, retryUntilDone } from '@mailcluster/common';
import { MailTables } from './mail-tables.ts';
import { type Pool, type PoolSettings, closePools, openPools } from './pools.ts';
import { migrate } from './schema.ts';

/**
 * The mail store as every service sees it: one pool per db, the shard map that says which db holds
 * which prefix, and the mail tables known on each db.
 */
export class MailStore {
  readonly pools: readonly Pool[];
  readonly #shards: ShardMapSource;
  readonly #tables: readonly MailTables[];

  private constructor(pools: Pool[], shards: ShardMapSource) {
    this.pools = pools;
    this.#shards = shards;
    this.#tables = pools.map((pool) => new MailTables(pool));
  }

  /** A store on these dbs; it owns `shards` and closes it with the pools. */
  static open(dbUrls: readonly string[], shards: ShardMapSource, settings: PoolSettings): MailStore {
    return new MailStore(openPools(dbUrls, settings), shards);
  }

  /**
   * The store of a long-running service: the shard map from its mounted file (or rendezvous over
   * the db URLs), one pool per db, every db migrated, retried until the dbs answer, so a pod may
   * start before them.
   */
  static async openForService(config: { dbUrls: readonly string[]; shardMapFile?: string | undefined }, settings: PoolSettings & { log: Logger }): Promise<MailStore> {
    const { log, ...pools } = settings;
    const shards = await openShardMapSource({ file: config.shardMapFile, dbCount: config.dbUrls.length, log });
    const store = MailStore.open(config.dbUrls, shards, pools);
    await retryUntilDone('schema migration', () => store.migrate(), { log });
    return store;
  }

  /** Brings every db to the current schema. */
  async migrate(): Promise<void> {
    await Promise.all(this.pools.map((pool) => migrate(pool)));
  }

  /** db 0 holds the cluster-wide directory (domains). */
  get directory(): Pool {
    return this.pool(0);
  }

  pool(ordinal: number): Pool {
    const pool = this.pools[ordinal];
    if (!pool) throw new RangeError(`no db with ordinal ${ordinal} (have ${this.pools.length})`);
    return pool;
  }

  /** The ordinal of the db that holds a prefix, by the shard map in force now. */
  dbOfPrefix(prefix: string): number {
    return prefixDb(this.#shards.current(), prefix);
  }

  /** The home db of an address: its mail and its profile row live there. */
  homePool(address: string): Pool {
    return this.pool(this.dbOfPrefix(addressPrefix(address)));
  }

  ensureMailTable(ordinal: number, prefix: string): Promise<void> {
    const tables = this.#tables[ordinal];
    if (!tables) throw new RangeError(`no db with ordinal ${ordinal}`);
    return tables.ensure(prefix);
  }

  async close(): Promise<void> {
    this.#shards.close();
    await closePools(this.pools);
  }
}
