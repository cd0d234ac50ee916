import { Counter, Gauge, Histogram, LATENCY_BUCKETS, type Registry } from '@mailcluster/common';

/** The writer's Prometheus metrics. */
export function writerMetrics(registry: Registry) {
  return {
    stored: new Counter({ name: 'writer_copies_stored_total', help: 'Copies committed (or found already stored) and acked', registers: [registry] }),
    duplicates: new Counter({ name: 'writer_copies_duplicate_total', help: 'Copies whose row already existed (retry or redelivery)', registers: [registry] }),
    retried: new Counter({ name: 'writer_copies_retried_total', help: 'Copies handed back for a later try, by reason', labelNames: ['reason'], registers: [registry] }),
    deadLettered: new Counter({ name: 'writer_copies_dead_lettered_total', help: 'Copies moved to MAIL_DEAD, by reason', labelNames: ['reason'], registers: [registry] }),
    batchCopies: new Histogram({ name: 'writer_batch_copies', help: 'Copies per batch', buckets: [1, 2, 5, 10, 25, 50, 100, 200, 500], registers: [registry] }),
    batchSeconds: new Histogram({ name: 'writer_batch_seconds', help: 'Time to write one db batch (transaction included)', labelNames: ['db'], buckets: LATENCY_BUCKETS, registers: [registry] }),
    acceptToCommitSeconds: new Histogram({ name: 'writer_accept_to_commit_seconds', help: 'From the SMTP 250 to the committed row', buckets: LATENCY_BUCKETS, registers: [registry] }),
    dbErrors: new Counter({ name: 'writer_db_errors_total', help: 'Failed db batches, by db and kind', labelNames: ['db', 'kind'], registers: [registry] }),
    consumerPending: new Gauge({ name: 'writer_consumer_pending', help: 'Copies waiting in MAIL_IN for a writer (consumer lag)', registers: [registry] }),
    consumerAckPending: new Gauge({ name: 'writer_consumer_ack_pending', help: 'Copies delivered to writers and not yet acked', registers: [registry] }),
  };
}

export type WriterMetrics = ReturnType<typeof writerMetrics>;
