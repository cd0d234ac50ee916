import { Counter, Gauge, Histogram, LATENCY_BUCKETS, type Registry } from '@mailcluster/common';

/** The operator's Prometheus metrics. */
export function operatorMetrics(registry: Registry) {
  return {
    reconciles: new Counter({ name: 'mailcluster_operator_reconciles_total', help: 'Reconciles, by result', labelNames: ['result'], registers: [registry] }),
    reconcileSeconds: new Histogram({ name: 'mailcluster_operator_reconcile_seconds', help: 'Time per reconcile', buckets: LATENCY_BUCKETS, registers: [registry] }),
    writes: new Counter({ name: 'mailcluster_operator_writes_total', help: 'Writes the operator sent to the API server, by verb and kind', labelNames: ['verb', 'kind'], registers: [registry] }),
    queueDepth: new Gauge({ name: 'mailcluster_operator_queue_depth', help: 'MailClusters waiting for a reconcile', registers: [registry] }),
    leader: new Gauge({ name: 'mailcluster_operator_leader', help: '1 while this replica holds the leader lease', registers: [registry] }),
    clusters: new Gauge({ name: 'mailcluster_operator_clusters', help: 'MailClusters watched', registers: [registry] }),
  };
}

export type OperatorMetrics = ReturnType<typeof operatorMetrics>;
