import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { addressPrefix, mailTableName } from '@mailcluster/common';
import { MAIL_DEAD_STREAM, MAIL_IN_STREAM, MAIL_OUT_STREAM, type MailCopy, WRITER_CONSUMER, encodeMailCopy, mailInSubject } from '@mailcluster/queue';
import { type MailStore, mailTableDdl } from '@mailcluster/store';
import { type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
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
  let nc: NatsConnection;
  let jsm: JetStreamManager;

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
    // It outlives the tests that stop NATS: reconnect for as long as it takes.
    nc = await connect({ servers: stack().natsUrl, maxReconnectAttempts: -1 });
    jsm = await jetstreamManager(nc);
    store = await openTestStore();
    users = await createUsers(store, uniqueDomain('faults'), ['john', 'alice', 'bob', 'carol', 'dave', 'eve', 'mallory', 'zed']);
    expect(new Set(users.map(homeDbOf)).size).toBe(2);
  });

  afterEach(async () => {
    // Whatever a test broke, the next one starts with a whole stack.
    for (const component of await stackStatus()) if (!component.healthy) await stackCtl('start', component.name);
  });

  afterAll(async () => {
    await nc.close();
    await store.close();
  });

  it('runs with the durability production has, so what these tests prove holds there', async () => {
    for (const pool of store.pools) {
      const [rows] = await pool.query('SELECT @@innodb_flush_log_at_trx_commit AS flush, @@innodb_doublewrite AS doublewrite');
      expect(rows, 'InnoDB flushes its log at every commit').toEqual([{ flush: 1, doublewrite: 1 }]);
    }
    for (const name of [MAIL_IN_STREAM, MAIL_OUT_STREAM, MAIL_DEAD_STREAM]) {
      const { config } = await jsm.streams.info(name);
      expect({ replicas: config.num_replicas, storage: config.storage }, name).toEqual({ replicas: 3, storage: 'file' });
    }
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
    const js = jetstream(nc);
    // Two publishes with different Nats-Msg-Ids: JetStream keeps both, as after its window.
    for (const msgID of ['redelivery-1', 'redelivery-2']) {
      await js.publish(mailInSubject(addressPrefix(recipient)), encodeMailCopy(copy, Buffer.from('Subject: redelivered\r\n\r\nx\r\n')), { msgID, expect: { streamName: MAIL_IN_STREAM } });
    }
    await expectExactlyOnce([{ from: '', to: [recipient], messageId: '<redelivered@e2e.test>', raw: Buffer.alloc(0) }]);
  });

  it('kill -9 of both writers mid-batch', async () => {
    const messages = await plainMessages('writerkill', users, 300);
    let heldAtKill = 0;
    const sending = sendAll(messages, {
      onDelivered: async (index) => {
        if (index !== 100) return;
        // Strike while JetStream has handed the writers copies they have not acknowledged: a batch
        // waits for company and then for its COMMIT, so one seen in flight is still in flight a
        // millisecond later. (SIGSTOP would not do: the stack's keeper then ends the writer.)
        const pids = (await stackStatus()).filter((c) => c.name.startsWith('writer-')).map((c) => c.pid as number);
        expect(pids).toHaveLength(2);
        await waitFor('copies delivered to the writers and not yet acknowledged', async () => {
          heldAtKill = (await jsm.consumers.info(MAIL_IN_STREAM, WRITER_CONSUMER)).num_ack_pending;
          return heldAtKill > 0;
        }, { timeoutMs: 10_000, intervalMs: 1 });
        for (const pid of pids) process.kill(pid, 'SIGKILL');
      },
    });
    const deliveries = await sending;
    expect(deliveries.every((d) => d.outcome === 'delivered')).toBe(true);
    expect(heldAtKill).toBeGreaterThan(0);
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

  it('the NATS node leading MAIL_IN killed and restarted during a send', async () => {
    const messages = await plainMessages('natskill', users, 200);
    let restart: Promise<void> | undefined;
    let leader: string | undefined;
    const deliveries = await sendAll(messages, {
      onDelivered: async (index) => {
        if (index !== 40) return;
        // The stream's leader is the node whose loss the stream must survive (a new election).
        leader = (await jsm.streams.info(MAIL_IN_STREAM)).cluster?.leader;
        if (leader === undefined) throw new Error('MAIL_IN has no leader');
        await killHard(leader);
        restart = sleep(3_000).then(() => stackCtl('start', leader as string));
      },
    });
    await restart;
    expect(leader).toMatch(/^nats-\d$/);
    await waitFor('MAIL_IN to have all three replicas current again', async () => {
      const cluster = (await jsm.streams.info(MAIL_IN_STREAM)).cluster;
      return cluster?.leader !== undefined && cluster.replicas?.length === 2 && cluster.replicas.every((r) => r.current);
    }, { timeoutMs: 60_000 });
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

  it('452 4.3.1 while MAIL_IN is full, even with one copy of three in; the sender\'s retry stores each once', async () => {
    const { config } = await jsm.streams.info(MAIL_IN_STREAM);
    const [one] = await plainMessages('streamfull', [users[3] as string], 1);
    const message = { ...one!, to: users.slice(3, 6) };
    const send = (attempts: number) => deliver(stack().smtp.host, stack().smtp.port, { from: message.from, to: message.to, raw: message.raw }, { attempts, retryDelayMs: 1_000 });
    // The writers stopped, so the stream keeps what it holds; then it has room for one copy only.
    await stackCtl('stop', 'writer-0');
    await stackCtl('stop', 'writer-1');
    try {
      const { state } = await jsm.streams.info(MAIL_IN_STREAM);
      await jsm.streams.update(MAIL_IN_STREAM, { ...config, max_msgs: state.messages + 1 });
      const refused = await send(1);
      expect(refused.outcome).toBe('gave-up');
      expect(refused.final?.code).toBe(452);
      expect(refused.final?.text).toMatch(/^4\.3\.1/);
      // Half published: one copy is in, the sender was told to come back with all three.
      expect((await jsm.streams.info(MAIL_IN_STREAM)).state.messages).toBe(state.messages + 1);
    } finally {
      await jsm.streams.update(MAIL_IN_STREAM, config);
      await stackCtl('start', 'writer-0');
      await stackCtl('start', 'writer-1');
    }
    expect((await send(10)).outcome).toBe('delivered');
    await expectExactlyOnce([message]);
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
