import { type ShardMap, rendezvousShardMap, shardMapSummary } from '@mailcluster/common';
import type { MailCluster } from '../api/v1alpha1/mailcluster.ts';
import type { ConditionUpdate } from '../api/v1alpha1/conditions.ts';
import { type ClusterSize, sizeCluster } from '../sizing/sizing.ts';

/** What runs now, as far as planning cares. */
export interface Observed {
  /** Replicas of the db StatefulSet, or 0 when there is none yet. */
  dbReplicas: number;
  /** The shard map in force (from its ConfigMap), if any. */
  shardMap: ShardMap | undefined;
}

export interface Plan {
  size: ClusterSize;
  /** db servers to run: never fewer than now, because a db holds its users' mail. */
  dbReplicas: number;
  shardMap: ShardMap;
  /** Prefixes that moved to another db with this plan (only ever onto new dbs). */
  movedPrefixes: number;
  scaling: ConditionUpdate;
}

/**
 * Decides the size the cluster should have, given what runs. Pure, so every rule is unit-tested:
 * - the seed ratio sizes every tier (sizing.ts);
 * - the db tier never shrinks: every db holds the mailboxes of the prefixes the shard map gives
 *   it, and moving them elsewhere (shard migration) does not exist yet (DESIGN §5);
 * - the shard map is rendezvous hashing over the dbs that run, and its epoch grows only when an
 *   assignment changes, so services can tell a new map from the one they have.
 */
export function planCluster(cluster: MailCluster, observed: Observed): Plan {
  const size = sizeCluster(cluster.spec);
  const dbReplicas = Math.max(size.db.replicas, observed.dbReplicas);
  const blocked = dbReplicas > size.db.replicas;
  const target = rendezvousShardMap(dbReplicas);
  const previous = observed.shardMap;
  const moved = previous === undefined ? 0 : Object.keys(target.assignments).filter((p) => previous.assignments[p] !== target.assignments[p]).length;
  const epoch = previous === undefined ? 1 : moved > 0 || previous.dbCount !== dbReplicas ? previous.epoch + 1 : previous.epoch;
  return {
    size,
    dbReplicas,
    shardMap: { ...target, epoch },
    movedPrefixes: moved,
    scaling: blocked
      ? {
          type: 'ScalingBlocked',
          status: 'True',
          reason: 'DbShrinkBlocked',
          message: `spec.users asks for ${size.db.replicas} db servers, but ${dbReplicas} hold users' mail (prefixes per db: ${shardMapSummary(target).join(', ')}); the db tier keeps ${dbReplicas} until shard migration exists`,
        }
      : { type: 'ScalingBlocked', status: 'False', reason: 'ScalingAllowed', message: 'every tier is at the size spec.users asks for' },
  };
}
