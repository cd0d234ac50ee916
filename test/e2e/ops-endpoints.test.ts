import { describe, expect, it } from 'vitest';
import { DELIVERY_OPS_PORT, INGEST_OPS_PORT, WEB_OPS_PORT, WRITER_OPS_PORTS, metricValue } from '../support/metrics.ts';
import { stack } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';

async function get(port: number, path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, text: await response.text() };
}

describe('health and metrics endpoints', () => {
  it.each([['smtp-ingest', INGEST_OPS_PORT], ['writer-0', WRITER_OPS_PORTS[0] as number]])('%s answers /healthz and /readyz', async (_name, port) => {
    expect(await get(port, '/healthz')).toEqual({ status: 200, text: 'ok\n' });
    const ready = await get(port, '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.text).toMatch(/^nats: ok$/m);
    expect((await get(port, '/nope')).status).toBe(404);
  });

  it('smtp-ingest exports acceptance, refusals and publish latency', async () => {
    const { text } = await get(INGEST_OPS_PORT, '/metrics');
    for (const name of ['smtp_messages_accepted_total', 'smtp_messages_rejected_total', 'smtp_recipients_rejected_total', 'smtp_publish_seconds_bucket', 'smtp_connections', 'process_cpu_seconds_total']) {
      expect(text).toContain(`${name}`);
    }
    expect(text).toMatch(/service="smtp-ingest"/);
  });

  it('the writer exports consumer lag, batch size and latency, and dead letters', async () => {
    const { text } = await get(WRITER_OPS_PORTS[0] as number, '/metrics');
    for (const name of ['writer_consumer_pending', 'writer_batch_copies_bucket', 'writer_batch_seconds_bucket', 'writer_accept_to_commit_seconds_bucket', 'writer_copies_dead_lettered_total', 'writer_copies_stored_total']) {
      expect(text).toContain(name);
    }
  });

  it.each([['web', WEB_OPS_PORT, /^db: ok$/m], ['delivery', DELIVERY_OPS_PORT, /^nats: ok$/m]])('%s answers /healthz and /readyz', async (_name, port, readiness) => {
    expect(await get(port, '/healthz')).toEqual({ status: 200, text: 'ok\n' });
    const ready = await get(port, '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.text).toMatch(readiness);
    expect((await get(port, '/nope')).status).toBe(404);
  });

  it('the web tier counts requests by route and declares its sign-in and sending metrics', async () => {
    const port = WEB_OPS_PORT;
    const labels = { route: '/login', method: 'GET', status: '200' };
    const before = await metricValue(port, 'web_request_seconds_count', labels);
    expect((await fetch(`${stack().webUrl}/login`)).status).toBe(200);
    // Observed in onResponse, after the answer went out; other engineers' clients may add more.
    await waitFor('GET /login counted', async () => (await metricValue(port, 'web_request_seconds_count', labels)) >= before + 1, { timeoutMs: 5_000, intervalMs: 50 });
    const { text } = await get(port, '/metrics');
    for (const name of ['web_request_seconds', 'web_sign_ins_total', 'web_messages_sent_total', 'process_cpu_seconds_total']) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toMatch(/service="web"/);
  });

  it('the delivery service exports outcomes, attempts and its queue', async () => {
    const { text } = await get(DELIVERY_OPS_PORT, '/metrics');
    for (const name of ['delivery_outcomes_total', 'delivery_attempts_bucket', 'delivery_dsns_total', 'delivery_queue_messages', 'delivery_queue_oldest_seconds']) expect(text).toContain(name);
    expect(text).toMatch(/service="delivery"/);
  });
});
