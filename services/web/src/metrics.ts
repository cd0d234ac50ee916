import { Counter, Histogram, LATENCY_BUCKETS, type Registry } from '@mailcluster/common';

/** Metric names of the web tier. */
export const WEB_METRICS = {
  requestSeconds: 'web_request_seconds',
  signIns: 'web_sign_ins_total',
  sent: 'web_messages_sent_total',
} as const;

export interface WebMetrics {
  requestSeconds: Histogram<'route' | 'method' | 'status'>;
  signIns: Counter<'outcome'>;
  sent: Counter<'outcome'>;
}

export function webMetrics(registry: Registry): WebMetrics {
  return {
    requestSeconds: new Histogram({
      name: WEB_METRICS.requestSeconds,
      help: 'Time to answer an HTTP request, by route pattern',
      labelNames: ['route', 'method', 'status'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    signIns: new Counter({ name: WEB_METRICS.signIns, help: 'Sign-in attempts by outcome (ok, refused, throttled)', labelNames: ['outcome'], registers: [registry] }),
    sent: new Counter({ name: WEB_METRICS.sent, help: 'Messages handed to submission, by outcome (sent, refused, unavailable)', labelNames: ['outcome'], registers: [registry] }),
  };
}
