import type { KubernetesObject, V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import { shardMapSummary } from '@mailcluster/common';
import { type ConditionUpdate, mergeConditions } from '../api/v1alpha1/conditions.ts';
import type { MailCluster, MailClusterStatus } from '../api/v1alpha1/mailcluster.ts';
import type { ObjectNames } from '../specs/names.ts';
import type { Plan } from './cluster-plan.ts';

interface Workloads {
  web: V1StatefulSet | undefined;
  smtp: V1StatefulSet | undefined;
  db: V1StatefulSet | undefined;
  nats: V1StatefulSet | undefined;
  writer: V1Deployment | undefined;
  delivery: V1Deployment | undefined;
}

/** A workload is rolled out when the controller has seen its latest spec and every pod runs it. */
function rolledOut(workload: V1StatefulSet | V1Deployment | undefined, desired: number): boolean {
  if (desired === 0) return workload === undefined || (workload.spec?.replicas ?? 0) === 0;
  if (!workload?.status) return false;
  const { status, metadata, spec } = workload;
  return (status.observedGeneration ?? 0) >= (metadata?.generation ?? 0)
    && (spec?.replicas ?? 0) >= desired
    && (status.readyReplicas ?? 0) >= desired
    && (status.updatedReplicas ?? 0) >= desired;
}

export function workloadsOf(get: (kind: 'StatefulSet' | 'Deployment', name: string) => KubernetesObject | undefined, names: ObjectNames): Workloads {
  return {
    web: get('StatefulSet', names.web),
    smtp: get('StatefulSet', names.smtp),
    db: get('StatefulSet', names.db),
    nats: get('StatefulSet', names.nats),
    writer: get('Deployment', names.writer),
    delivery: get('Deployment', names.delivery),
  };
}

/**
 * The status a MailCluster should show, from its plan and what runs: per tier desired/ready, the
 * shard map summary, and the conditions (Kubernetes API conventions). Pure: equal inputs give an
 * equal status, so the controller writes status only when something really changed.
 */
export function computeStatus(
  cluster: MailCluster,
  plan: Plan,
  workloads: Workloads,
  shardMapName: string,
  problem: ConditionUpdate | undefined,
  now: Date,
): MailClusterStatus {
  const ready = (w: V1StatefulSet | V1Deployment | undefined) => w?.status?.readyReplicas ?? 0;
  // smtp-ingest: the autoscaler picks the count between min and max.
  const smtpDesired = Math.min(Math.max(workloads.smtp?.spec?.replicas ?? plan.size.smtp.min, plan.size.smtp.min), plan.size.smtp.max);
  const tiers = {
    web: { desired: plan.size.web.replicas, ready: ready(workloads.web) },
    smtp: { desired: smtpDesired, ready: ready(workloads.smtp), min: plan.size.smtp.min, max: plan.size.smtp.max },
    db: { desired: plan.dbReplicas, ready: ready(workloads.db) },
    writer: { desired: plan.size.writer.replicas, ready: ready(workloads.writer) },
    delivery: { desired: plan.size.delivery.replicas, ready: ready(workloads.delivery) },
    nats: { desired: plan.size.nats.replicas, ready: ready(workloads.nats) },
  };
  const lagging = [
    ['web', workloads.web, tiers.web.desired],
    ['smtp', workloads.smtp, tiers.smtp.desired],
    ['db', workloads.db, tiers.db.desired],
    ['writer', workloads.writer, tiers.writer.desired],
    ['delivery', workloads.delivery, tiers.delivery.desired],
    ['nats', workloads.nats, tiers.nats.desired],
  ].filter(([, workload, desired]) => !rolledOut(workload as V1StatefulSet | undefined, desired as number)).map(([name]) => name as keyof typeof tiers);
  const allReady = lagging.length === 0;
  const describe = () => lagging.map((t) => `${t} ${tiers[t].ready}/${tiers[t].desired}`).join(', ');
  const conditions: ConditionUpdate[] = [
    allReady
      ? { type: 'Ready', status: 'True', reason: 'AllTiersReady', message: 'every tier runs at its desired size' }
      : { type: 'Ready', status: 'False', reason: 'TiersNotReady', message: `waiting for ${describe()}` },
    cluster.spec.paused
      ? { type: 'Progressing', status: 'False', reason: 'Paused', message: 'spec.paused: the operator changes nothing' }
      : allReady
        ? { type: 'Progressing', status: 'False', reason: 'UpToDate', message: 'the cluster matches its spec' }
        : { type: 'Progressing', status: 'True', reason: 'Reconciling', message: `rolling out: ${describe()}` },
    problem ?? { type: 'Degraded', status: 'False', reason: 'NoProblems', message: 'the last reconcile applied every object' },
    plan.scaling,
  ];
  return {
    observedGeneration: cluster.metadata.generation,
    ...tiers,
    shardMap: { epoch: plan.shardMap.epoch, dbCount: plan.shardMap.dbCount, prefixesPerDb: shardMapSummary(plan.shardMap), configMap: shardMapName },
    conditions: mergeConditions(cluster.status?.conditions, conditions, cluster.metadata.generation, now),
  };
}
