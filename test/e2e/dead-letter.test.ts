import { DEAD_REASON_HEADER, MAIL_DEAD_STREAM, MAIL_IN_STREAM, WRITER_CONSUMER, mailInSubject } from '@mailcluster/queue';
import { type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writersMetric } from '../support/metrics.ts';
import { stack } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';

describe('a copy that can never be stored goes to MAIL_DEAD, counted and logged, never dropped', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    nc = await connect({ servers: stack().natsUrl });
    jsm = await jetstreamManager(nc);
  });

  afterAll(async () => {
    await nc.close();
  });

  it('dead-letters an unreadable envelope with its reason', async () => {
    const before = await writersMetric('writer_copies_dead_lettered_total', { reason: 'bad_envelope' });
    const deadBefore = (await jsm.streams.info(MAIL_DEAD_STREAM)).state.messages;
    const poison = Buffer.from(`not an envelope ${Date.now()}`);
    await jetstream(nc).publish(mailInSubject('zz'), poison, { msgID: `poison-${Date.now()}` });

    await waitFor('the poison copy to be dead-lettered', async () =>
      (await writersMetric('writer_copies_dead_lettered_total', { reason: 'bad_envelope' })) > before);
    const info = await jsm.streams.info(MAIL_DEAD_STREAM);
    expect(info.state.messages).toBe(deadBefore + 1);
    const dead = await jsm.streams.getMessage(MAIL_DEAD_STREAM, { last_by_subj: 'mail.dead.in.zz' });
    expect(Buffer.from(dead?.data ?? []).equals(poison)).toBe(true);
    expect(dead?.header.get(DEAD_REASON_HEADER)).toMatch(/^bad_envelope: envelope/);
    // It left MAIL_IN: terminated, not waiting for redelivery.
    await waitFor('MAIL_IN to hold nothing for the writers', async () => {
      const consumer = await jsm.consumers.info(MAIL_IN_STREAM, WRITER_CONSUMER);
      return consumer.num_pending === 0 && consumer.num_ack_pending === 0;
    });
  });
});
