import { rendezvousShardMap } from '@mailcluster/common';
import { describe, expect, it } from 'vitest';
import { type MailCluster, mailClusterSpecSchema } from '../api/v1alpha1/mailcluster.ts';
import { planCluster } from './cluster-plan.ts';

const cluster = (users: number): MailCluster => ({
  apiVersion: 'mailcluster.dev/v1alpha1',
  kind: 'MailCluster',
  metadata: { name: 'mc', namespace: 'mail', uid: 'u' },
  spec: mailClusterSpecSchema.parse({ users }),
});

describe('planCluster', () => {
  it('starts a new cluster at epoch 1 with the sized db tier', () => {
    const plan = planCluster(cluster(2_500_000), { dbReplicas: 0, shardMap: undefined });
    expect(plan.dbReplicas).toBe(3);
    expect(plan.shardMap).toMatchObject({ epoch: 1, dbCount: 3 });
    expect(plan.scaling.status).toBe('False');
  });

  it('grows the db tier, moving prefixes only onto the new db, and bumps the epoch', () => {
    const before = { ...rendezvousShardMap(2), epoch: 4 };
    const plan = planCluster(cluster(2_500_000), { dbReplicas: 2, shardMap: before });
    expect(plan.shardMap.epoch).toBe(5);
    expect(plan.movedPrefixes).toBeGreaterThan(300);
    for (const [prefix, db] of Object.entries(plan.shardMap.assignments)) {
      if (before.assignments[prefix] !== db) expect(db).toBe(2);
    }
  });

  it('keeps the epoch when nothing changes', () => {
    const map = { ...rendezvousShardMap(3), epoch: 7 };
    expect(planCluster(cluster(2_500_000), { dbReplicas: 3, shardMap: map }).shardMap.epoch).toBe(7);
  });

  it('never shrinks the db tier, and says why', () => {
    const plan = planCluster(cluster(500_000), { dbReplicas: 3, shardMap: { ...rendezvousShardMap(3), epoch: 2 } });
    expect(plan.dbReplicas).toBe(3);
    expect(plan.size.web.replicas).toBe(2);
    expect(plan.shardMap.epoch).toBe(2);
    expect(plan.scaling).toMatchObject({ type: 'ScalingBlocked', status: 'True', reason: 'DbShrinkBlocked' });
    expect(plan.scaling.message).toMatch(/asks for 1 db servers, but 3 hold/);
  });
});
