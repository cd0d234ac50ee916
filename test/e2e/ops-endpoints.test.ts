import { describe, expect, it } from 'vitest';
import { INGEST_OPS_PORT, WRITER_OPS_PORTS } from '../support/metrics.ts';

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
});
