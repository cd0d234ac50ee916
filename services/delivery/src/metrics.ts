import { Counter, Gauge, Histogram, type Registry } from '@mailcluster/common';

/** The delivery workers' Prometheus metrics. */
export function deliveryMetrics(registry: Registry) {
  return {
    outcomes: new Counter({ name: 'delivery_outcomes_total', help: 'Delivery attempts by destination and outcome (delivered, deferred, bounced, dead_lettered)', labelNames: ['destination', 'outcome'], registers: [registry] }),
    attempts: new Histogram({ name: 'delivery_attempts', help: 'Attempts a message had taken when it was tried', buckets: [1, 2, 3, 5, 8, 13, 21, 34], registers: [registry] }),
    dsns: new Counter({ name: 'delivery_dsns_total', help: 'Delivery status notifications, by action and result (sent, null_sender)', labelNames: ['action', 'result'], registers: [registry] }),
    queueMessages: new Gauge({ name: 'delivery_queue_messages', help: 'Messages waiting in MAIL_OUT', registers: [registry] }),
    queueOldestSeconds: new Gauge({ name: 'delivery_queue_oldest_seconds', help: 'Age of the oldest message in MAIL_OUT', registers: [registry] }),
  };
}

export type DeliveryMetrics = ReturnType<typeof deliveryMetrics>;
