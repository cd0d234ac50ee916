import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ALL_PREFIXES, addressPrefix, isPrefix } from './shard.ts';

/**
 * The shard map: prefix → db ordinal, with an epoch that grows whenever an assignment changes.
 * The operator owns it (ConfigMap `<cluster>-shardmap`); outside Kubernetes it comes from a JSON
 * file, or is computed from the number of dbs when there is no file.
 */
export interface ShardMap {
  readonly epoch: number;
  readonly dbCount: number;
  readonly assignments: Readonly<Record<string, number>>;
}

const shardMapSchema = z
  .object({
    epoch: z.number().int().nonnegative(),
    dbCount: z.number().int().positive(),
    assignments: z.record(z.string(), z.number().int().nonnegative()),
  })
  .superRefine((map, ctx) => {
    for (const [prefix, ordinal] of Object.entries(map.assignments)) {
      if (!isPrefix(prefix)) ctx.addIssue({ code: 'custom', message: `not a prefix: ${prefix}` });
      if (ordinal >= map.dbCount) {
        ctx.addIssue({ code: 'custom', message: `${prefix} → db ${ordinal}, but dbCount is ${map.dbCount}` });
      }
    }
    const missing = ALL_PREFIXES.filter((prefix) => !(prefix in map.assignments));
    if (missing.length > 0) {
      ctx.addIssue({ code: 'custom', message: `${missing.length} prefixes unassigned, e.g. ${missing.slice(0, 3).join(', ')}` });
    }
  });

/** Rendezvous (highest random weight) score of a prefix on a db ordinal. */
function score(prefix: string, ordinal: number): bigint {
  return createHash('sha256').update(`${prefix}/${ordinal}`).digest().readBigUInt64BE(0);
}

/** The db ordinal that rendezvous hashing gives a prefix among `dbCount` dbs. */
export function rendezvousOwner(prefix: string, dbCount: number): number {
  let best = 0;
  let bestScore = -1n;
  for (let ordinal = 0; ordinal < dbCount; ordinal++) {
    const s = score(prefix, ordinal);
    if (s > bestScore) [best, bestScore] = [ordinal, s];
  }
  return best;
}

/**
 * The map for `dbCount` dbs. Adding a db only moves prefixes onto the new db (the rendezvous
 * property), so a prefix never moves between dbs that already existed.
 */
export function rendezvousShardMap(dbCount: number, epoch = 0): ShardMap {
  if (!Number.isInteger(dbCount) || dbCount < 1) throw new RangeError(`dbCount must be ≥ 1, got ${dbCount}`);
  const assignments: Record<string, number> = {};
  for (const prefix of ALL_PREFIXES) assignments[prefix] = rendezvousOwner(prefix, dbCount);
  return { epoch, dbCount, assignments };
}

export function parseShardMap(json: string): ShardMap {
  return shardMapSchema.parse(JSON.parse(json));
}

/** The db ordinal holding the mailbox of `address`. */
export function homeDb(map: ShardMap, address: string): number {
  return prefixDb(map, addressPrefix(address));
}

export function prefixDb(map: ShardMap, prefix: string): number {
  const ordinal = map.assignments[prefix];
  if (ordinal === undefined) throw new RangeError(`shard map epoch ${map.epoch} has no entry for ${JSON.stringify(prefix)}`);
  return ordinal;
}

/** How many prefixes each db holds: the summary shown in status and logs. */
export function shardMapSummary(map: ShardMap): number[] {
  const counts = new Array<number>(map.dbCount).fill(0);
  for (const ordinal of Object.values(map.assignments)) counts[ordinal] = (counts[ordinal] ?? 0) + 1;
  return counts;
}

export async function readShardMapFile(path: string): Promise<ShardMap> {
  return parseShardMap(await readFile(path, 'utf8'));
}
