import { readFile } from 'node:fs/promises';
import type { Logger } from './logger.ts';
import { type ShardMap, parseShardMap, rendezvousShardMap } from './shard-map.ts';

export interface ShardMapSource {
  /** The map in force now. */
  current(): ShardMap;
  close(): void;
}

export interface ShardMapSourceOptions {
  /** JSON file to follow (a mounted ConfigMap); without one the map is computed from `dbCount`. */
  file?: string | undefined;
  dbCount: number;
  log: Logger;
  /** How often the file is re-read. Polling, because ConfigMap volumes swap a symlink. */
  pollMs?: number;
  onChange?: (map: ShardMap) => void;
}

/** The rendezvous map over `dbCount` dbs, never changing: what runs without a shard map file. */
export function fixedShardMapSource(dbCount: number): ShardMapSource {
  const map = rendezvousShardMap(dbCount);
  return { current: () => map, close: () => {} };
}

/**
 * Loads the shard map and follows changes to its file. A newer epoch replaces the map; a file that
 * fails to parse, names more dbs than this process can reach, or goes back in epoch is ignored with
 * an error log, so a bad edit never re-routes mail.
 */
export async function openShardMapSource(options: ShardMapSourceOptions): Promise<ShardMapSource> {
  const { file, dbCount, log } = options;
  if (file === undefined) return fixedShardMapSource(dbCount);

  const load = async (): Promise<ShardMap> => {
    const map = parseShardMap(await readFile(file, 'utf8'));
    if (map.dbCount > dbCount) throw new Error(`shard map needs ${map.dbCount} dbs, only ${dbCount} configured`);
    return map;
  };

  let map = await load();
  log.info({ file, epoch: map.epoch, dbCount: map.dbCount }, 'shard map loaded');
  const timer = setInterval(() => {
    load().then(
      (next) => {
        if (next.epoch === map.epoch) return;
        if (next.epoch < map.epoch) {
          log.error({ file, epoch: next.epoch, current: map.epoch }, 'shard map epoch went back; ignored');
          return;
        }
        map = next;
        log.info({ file, epoch: map.epoch, dbCount: map.dbCount }, 'shard map changed');
        options.onChange?.(map);
      },
      (error: unknown) => log.error({ file, err: error }, 'shard map unreadable; keeping the current one'),
    );
  }, options.pollMs ?? 5_000);
  timer.unref();
  return { current: () => map, close: () => clearInterval(timer) };
}
