import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { operatorMetrics } from '../operator/src/metrics.ts';
import { deliveryMetrics } from '../services/delivery/src/metrics.ts';
import { ingestMetrics } from '../services/smtp-ingest/src/metrics.ts';
import { webMetrics } from '../services/web/src/metrics.ts';
import { writerMetrics } from '../services/writer/src/metrics.ts';

/** What each process registers besides prom-client's defaults. */
const SOURCES: Record<string, (registry: Registry) => unknown> = {
  'smtp-ingest': ingestMetrics,
  writer: writerMetrics,
  delivery: deliveryMetrics,
  web: webMetrics,
  operator: operatorMetrics,
};

function registered(): { name: string; type: string; labels: string }[] {
  return Object.values(SOURCES).flatMap((register) => {
    const registry = new Registry();
    register(registry);
    return registry.getMetricsAsArray().map((metric) => ({
      name: metric.name,
      type: String(metric.type),
      labels: ((metric as unknown as { labelNames?: string[] }).labelNames ?? []).join(', '),
    }));
  });
}

describe('docs/metrics.md', () => {
  const docs = readFileSync(new URL('metrics.md', import.meta.url), 'utf8');

  it('names every metric the code registers, with its type and labels', () => {
    for (const { name, type, labels } of registered()) {
      const cells = [`\`${name}\``, type, labels].map((cell) => (cell === '' ? ' ' : ` ${cell} `));
      expect(docs).toContain(`|${cells.join('|')}|`);
    }
  });

  it('names no metric the code does not register', () => {
    const rows = [...docs.matchAll(/^\| `([a-z_]+)` \|/gm)].map((match) => match[1]);
    expect(rows.sort()).toEqual(registered().map((metric) => metric.name).sort());
  });
});
