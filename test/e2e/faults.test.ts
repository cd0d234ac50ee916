import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { addressPrefix, mailTableName } from '@mailcluster/common';
import { MAIL_IN_STREAM, type MailCopy, encodeMailCopy, mailInSubject } from '@mailcluster/queue';
import { type MailStore, mailTableDdl } from '@mailcluster/store';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestMessage } from '../support/messages.ts';
import { writersMetric } from '../support/metrics.ts';
import { deliver } from '../support/sender.ts';
import { copyCounts, createUsers, homeDbOf, killHard, openTestStore, rowsFor, stack, stackCtl, stackStatus, uniqueDomain } from '../support/stack.ts';
import { mountSmallDisk } from '../support/small-disk.ts';
import { plainMessages, sendAll } from '../support/traffic.ts';
import { waitFor } from '../support/wait.ts';

/**
 * Every fault ends the same way: each copy the stack answered 250 for is stored exactly once, and
 * nothing else is; what was not accepted got a 4xx and the sender's retry got it in.
 */
describe('no mail lost, none doubled, under faults', () => {
  let store: MailStore;
  let users: string[];

  /** Every copy of `messages` is stored, and no copy of any message to these users is stored twice. */
  async function expectExactlyOnce(messages: readonly TestMessage[]): Promise<void> {
    const expected = messages.flatMap((m) => m.to.map((to) => `${to} ${m.messageId}`));
    await waitFor('every accepted copy to be stored', async () => {
      const counts = copyCounts(await rowsFor(store, users));
      return expected.every((key) => counts.has(key));
    }, { timeoutMs: 180_000, intervalMs: 1_000 });
    // Give a redelivery the time it would need to show up as a duplicate.
    await sleep(2_000);
    const counts = copyCounts(await rowsFor(store, users));
    expect(expected.filter((key) => !counts.has(key)), 'copies lost').toEqual([]);
    expect([...counts].filter(([, n]) => n !== 1), 'copies stored twice').toEqual([]);
  }

  beforeAll(async () => {
    store = await openTestStore();
    users = await createUsers(store, uniqueDomain('faults'), ['john', 'alice', 'bob', 'carol', 'dave', 'eve', 'mallory', 'zed']);
    expect(new Set(users.map(homeDbOf)).size).toBe(2);
  });

  afterEach(async () => {
    // Whatever a test broke, the next one starts with a whole stack.
    for (const component of await stackStatus()) if (!component.healthy) await stackCtl('start', component.name);
  });

  afterAll(async () => {
    await store.close();
  });

  it('stores a message the sender sends twice only once', async () => {
    const [message] = await plainMessages('twice', [users[0] as string], 1);
    for (let i = 0; i < 2; i++) {
      const delivery = await deliver(stack().smtp.host, stack().smtp.port, { from: message!.from, to: message!.to, raw: message!.raw });
      expect(delivery.outcome).toBe('delivered');
    }
    await expectExactlyOnce([message!]);
  });

  it('stores a copy redelivered outside the JetStream duplicate window only once (the table key)', async () => {
    const recipient = users[1] as string;
    const copy: MailCopy = {
      version: 1,
      recipient,
      mailFrom: 'sender@outside.test',
      acceptedAt: Date.now(),
      dedupeKey: createHash('sha256').update(`${recipient} redelivered`).digest('hex'),
      size: 30,
      parsed: { subject: 'redelivered', from: [], to: [], cc: [], date: null, messageId: '<redelivered@e2e.test>', inReplyTo: null, references: [], snippet: '', text: '', hasHtml: false, attachments: [] },
    };
    const nc = await connect({ servers: stack().natsUrl });
    const js = jetstream(nc);
    // Two publishes with different Nats-Msg-Ids: JetStream keeps both, as after its window.
    for (const msgID of ['redelivery-1', 'redelivery-2']) {
      await js.publish(mailInSubject(addressPrefix(recipient)), encodeMailCopy(copy, Buffer.from('Subject: redelivered\r\n\r\nx\r\n')), { msgID, expect: { streamName: MAIL_IN_STREAM } });
    }
    await nc.close();
    await expectExactlyOnce([{ from: '', to: [recipient], messageId: '<redelivered@e2e.test>', raw: Buffer.alloc(0) }]);
  });

  it('kill -9 of both writers mid-batch', async () => {
    const messages = await plainMessages('writerkill', users, 300);
    let killed = false;
    const sending = sendAll(messages, {
      onDelivered: async (index) => {
        if (index < 100 || killed) return;
        killed = true;
        await killHard('writer-0');
        await killHard('writer-1');
      },
    });
    const deliveries = await sending;
    expect(deliveries.every((d) => d.outcome === 'delivered')).toBe(true);
    expect(killed).toBe(true);
    await stackCtl('start', 'writer-0');
    await stackCtl('start', 'writer-1');
    await expectExactlyOnce(messages);
  });

  it('kill -9 of smtp-ingest right after a 250', async () => {
    const messages = await plainMessages('ingestkill', users, 200);
    let killed = false;
    let restart: Promise<void> | undefined;
    const deliveries = await sendAll(messages, {
      onDelivered: async (index) => {
        if (index < 50 || killed) return;
        killed = true;
        await killHard('smtp-ingest');
        // The senders keep retrying while it is away, as real MTAs do.
        restart = sleep(1_000).then(() => stackCtl('start', 'smtp-ingest'));
      },
    });
    await restart;
    expect(killed).toBe(true);
    expect(deliveries.filter((d) => d.outcome !== 'delivered')).toEqual([]);
    expect(deliveries.some((d) => d.attempts > 1)).toBe(true);
    await expectExactlyOnce(messages);
  });

  it('one NATS node killed and restarted during a send', async () => {
    const messages = await plainMessages('natskill', users, 200);
    let restart: Promise<void> | undefined;
    const deliveries = await sendAll(messages, {
      onDelivered: async (index) => {
        if (index !== 40) return;
        await killHard('nats-1');
        restart = sleep(3_000).then(() => stackCtl('start', 'nats-1'));
      },
    });
    await restart;
    expect(deliveries.filter((d) => d.outcome !== 'delivered')).toEqual([]);
    await expectExactlyOnce(messages);
  });

  it('a MariaDB shard stopped and restarted during a send: writers back off and catch up', async () => {
    const messages = await plainMessages('dbstop', users, 150);
    const retriesBefore = await writersMetric('writer_copies_retried_total', { reason: 'db_unavailable' });
    let restart: Promise<void> | undefined;
    const deliveries = await sendAll(messages, {
      retryForMs: 120_000,
      onDelivered: async (index) => {
        if (index !== 30) return;
        await stackCtl('stop', 'db-1');
        restart = sleep(8_000).then(() => stackCtl('start', 'db-1'));
      },
    });
    await restart;
    expect(deliveries.filter((d) => d.outcome !== 'delivered')).toEqual([]);
    await expectExactlyOnce(messages);
    // Copies for the stopped db waited in MAIL_IN while the writers backed off.
    expect(await writersMetric('writer_copies_retried_total', { reason: 'db_unavailable' })).toBeGreaterThan(retriesBefore);
  });

  it('the disk under a shard table runs full: the copies wait in MAIL_IN and are stored once when space is back', async () => {
    // Its own prefix ('z9'), whose mail table lives on a small file system of its own.
    const [owner] = await createUsers(store, uniqueDomain('fulldisk'), ['z9full']);
    const recipient = owner as string;
    users.push(recipient);
    const pool = store.homePool(recipient);
    const table = mailTableName(addressPrefix(recipient));
    const [[{ datadir }]] = (await pool.query('SELECT @@datadir AS datadir')) as unknown as [[{ datadir: string }]];
    const disk = await mountSmallDisk(16 * 1024 * 1024, datadir);
    try {
      await pool.query(`DROP TABLE IF EXISTS \`${table}\``);
      await pool.query(`${mailTableDdl(table)} DATA DIRECTORY = '${disk.dir}'`);
      await disk.fill(64 * 1024);
      const before = { full: await writersMetric('writer_copies_retried_total', { reason: 'db_full' }), rejected: await writersMetric('writer_db_errors_total', { kind: 'rejected' }) };
      const messages = await plainMessages('fulldisk', [recipient], 60);
      const deliveries = await sendAll(messages);
      // Accepted: the 250 is JetStream's; the db's disk is the writers' problem.
      expect(deliveries.filter((d) => d.outcome !== 'delivered')).toEqual([]);
      await waitFor('the writers to hand copies back for want of space', async () =>
        (await writersMetric('writer_copies_retried_total', { reason: 'db_full' })) > before.full, { timeoutMs: 30_000 });
      expect(copyCounts(await rowsFor(store, [recipient])).size).toBeLessThan(messages.length);
      await disk.free();
      await expectExactlyOnce(messages);
      // A full disk is the db's fault, not the mail's: nothing counted towards dead-lettering.
      expect(await writersMetric('writer_db_errors_total', { kind: 'rejected' })).toBe(before.rejected);
    } finally {
      await pool.query(`DROP TABLE IF EXISTS \`${table}\``);
      await disk.unmount();
    }
  });

  it('452 4.3.1 while MAIL_IN is full, and the sender\'s retry gets in once there is room', async () => {
    const nc = await connect({ servers: stack().natsUrl });
    const jsm = await jetstreamManager(nc);
    const { config } = await jsm.streams.info(MAIL_IN_STREAM);
    const [message] = await plainMessages('streamfull', [users[3] as string], 1);
    const send = (attempts: number) => deliver(stack().smtp.host, stack().smtp.port, { from: message!.from, to: message!.to, raw: message!.raw }, { attempts, retryDelayMs: 1_000 });
    // The writers stopped, so the stream keeps what it holds; then it may hold nothing more.
    await stackCtl('stop', 'writer-0');
    await stackCtl('stop', 'writer-1');
    try {
      const { state } = await jsm.streams.info(MAIL_IN_STREAM);
      await jsm.streams.update(MAIL_IN_STREAM, { ...config, max_bytes: state.bytes + 1_024 });
      const refused = await send(1);
      expect(refused.outcome).toBe('gave-up');
      expect(refused.final?.code).toBe(452);
      expect(refused.final?.text).toMatch(/^4\.3\.1/);
    } finally {
      await jsm.streams.update(MAIL_IN_STREAM, config);
      await nc.close();
      await stackCtl('start', 'writer-0');
      await stackCtl('start', 'writer-1');
    }
    expect((await send(10)).outcome).toBe('delivered');
    await expectExactlyOnce([message!]);
  });

  it('451 while NATS is entirely down, and mail flows again once it is back', async () => {
    for (const node of ['nats-0', 'nats-1', 'nats-2']) await stackCtl('stop', node);
    const [message] = await plainMessages('natsdown', [users[2] as string], 1);
    const refused = await deliver(stack().smtp.host, stack().smtp.port, { from: message!.from, to: message!.to, raw: message!.raw });
    expect(refused.outcome).toBe('gave-up');
    expect(refused.final?.code).toBe(451);
    expect(refused.final?.text).toMatch(/^4\.3\.0/);
    for (const node of ['nats-0', 'nats-1', 'nats-2']) await stackCtl('start', node);
    const delivered = await deliver(stack().smtp.host, stack().smtp.port, { from: message!.from, to: message!.to, raw: message!.raw }, { attempts: 60, retryDelayMs: 1_000 });
    expect(delivered.outcome).toBe('delivered');
    await expectExactlyOnce([message!]);
  });
});
