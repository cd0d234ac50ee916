import { addressPrefix, mailTableName } from '@mailcluster/common';
import { DEAD_DELIVERIES_HEADER, DEAD_REASON_HEADER, MAIL_DEAD_STREAM, MAIL_IN_STREAM, WRITER_CONSUMER, mailInSubject } from '@mailcluster/queue';
import type { MailStore } from '@mailcluster/store';
import { type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMessage } from '../support/messages.ts';
import { metricValue, writersMetric } from '../support/metrics.ts';
import { deliver } from '../support/sender.ts';
import { startServiceProcess } from '../support/service-process.ts';
import { copyCounts, createUsers, homeDbOf, openTestStore, rowsFor, stack, stackCtl, uniqueDomain } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';

describe('a copy that can never be stored goes to MAIL_DEAD, counted and logged, never dropped', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  let store: MailStore;

  beforeAll(async () => {
    nc = await connect({ servers: stack().natsUrl });
    jsm = await jetstreamManager(nc);
    store = await openTestStore();
  });

  afterAll(async () => {
    await nc.close();
    await store.close();
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

  it('retries a copy the db keeps refusing a bounded number of times, then dead-letters it; its batch-mate is stored once', async () => {
    // Same prefix, so both copies go to one table in one batch: the refused one must not hold back the other.
    const [refused, fine] = await createUsers(store, uniqueDomain('refused'), ['pa-refused', 'pa-fine']) as [string, string];
    const db = homeDbOf(refused);
    const table = mailTableName(addressPrefix(refused));
    const trigger = `refuse_${Date.now()}`;
    await store.ensureMailTable(db, addressPrefix(refused));
    // A real refusal by the db for this row's data, as a constraint or a broken row would give.
    await store.pool(db).query(
      `CREATE TRIGGER \`${trigger}\` BEFORE INSERT ON \`${table}\` FOR EACH ROW
       IF NEW.EmailTo = ? THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'test refuses this row'; END IF`, [refused]);
    // The stack's writers make way for one that gives up after 2 deliveries, so the test need not wait minutes.
    for (const name of ['writer-0', 'writer-1']) await stackCtl('stop', name);
    const writer = await startServiceProcess('writer', { MAILCLUSTER_MAX_DATA_ATTEMPTS: '2', MAILCLUSTER_LOG_LEVEL: 'info' });
    try {
      const opsPort = writer.ports['ops endpoint listening (/metrics /healthz /readyz)'] as number;
      const message = await buildMessage('plain', 'someone@outside.test', refused, `refused-${trigger}`);
      const delivery = await deliver(stack().smtp.host, stack().smtp.port, { from: message.from, to: [refused, fine], raw: message.raw });
      expect(delivery.outcome).toBe('delivered');

      await waitFor('the refused copy to be dead-lettered', async () =>
        (await metricValue(opsPort, 'writer_copies_dead_lettered_total', { reason: 'db_rejected' })) === 1, { timeoutMs: 30_000 });
      // Retried once, after a back-off, before giving up.
      expect(await metricValue(opsPort, 'writer_copies_retried_total', { reason: 'db_rejected' })).toBe(1);
      const dead = await jsm.streams.getMessage(MAIL_DEAD_STREAM, { last_by_subj: `mail.dead.in.${addressPrefix(refused)}` });
      expect(dead?.header.get(DEAD_REASON_HEADER)).toMatch(/^db_rejected: test refuses this row/);
      expect(dead?.header.get(DEAD_DELIVERIES_HEADER)).toBe('2');
      expect(writer.output()).toMatch(/message dead-lettered to MAIL_DEAD/);

      const counts = copyCounts(await rowsFor(store, [refused, fine]));
      expect(counts.get(`${fine} ${message.messageId}`)).toBe(1);
      expect(counts.has(`${refused} ${message.messageId}`)).toBe(false);
    } finally {
      writer.signal('SIGTERM');
      await writer.exited;
      await store.pool(db).query(`DROP TRIGGER IF EXISTS \`${trigger}\``);
      for (const name of ['writer-0', 'writer-1']) await stackCtl('start', name);
    }
  });
});

