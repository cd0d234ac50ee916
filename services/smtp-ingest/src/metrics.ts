import { Counter, Gauge, Histogram, LATENCY_BUCKETS, type Registry } from '@mailcluster/common';

/** smtp-ingest's Prometheus metrics; names are the contract with dashboards and alerts. */
export function ingestMetrics(registry: Registry) {
  return {
    accepted: new Counter({ name: 'smtp_messages_accepted_total', help: 'Messages answered 250 (every copy acknowledged by JetStream)', labelNames: ['listener'], registers: [registry] }),
    copies: new Counter({ name: 'smtp_copies_published_total', help: 'Copies published to MAIL_IN (recipients, and Sent copies)', registers: [registry] }),
    outbound: new Counter({ name: 'smtp_outbound_queued_total', help: 'Deliveries to other domains queued in MAIL_OUT', registers: [registry] }),
    rejected: new Counter({ name: 'smtp_messages_rejected_total', help: 'Messages refused after DATA, by reason', labelNames: ['listener', 'reason'], registers: [registry] }),
    recipientsRejected: new Counter({ name: 'smtp_recipients_rejected_total', help: 'RCPT TO refused, by reason', labelNames: ['listener', 'reason'], registers: [registry] }),
    authFailures: new Counter({ name: 'smtp_auth_failures_total', help: 'Failed or refused AUTH, by reason', labelNames: ['listener', 'reason'], registers: [registry] }),
    connectionsRefused: new Counter({ name: 'smtp_connections_refused_total', help: 'Connections refused, by reason', labelNames: ['listener', 'reason'], registers: [registry] }),
    connections: new Gauge({ name: 'smtp_connections', help: 'Open SMTP connections', labelNames: ['listener'], registers: [registry] }),
    messageBytes: new Histogram({ name: 'smtp_message_bytes', help: 'Size of accepted messages', buckets: [1e3, 1e4, 5e4, 1e5, 1e6, 5e6, 25e6], registers: [registry] }),
    publishSeconds: new Histogram({ name: 'smtp_publish_seconds', help: 'End of DATA to the last JetStream ack', buckets: LATENCY_BUCKETS, registers: [registry] }),
    parseSeconds: new Histogram({ name: 'smtp_parse_seconds', help: 'Time to parse one message', buckets: LATENCY_BUCKETS, registers: [registry] }),
  };
}

export type IngestMetrics = ReturnType<typeof ingestMetrics>;
