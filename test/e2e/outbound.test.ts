import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { addressDomain, addressPrefix, mailTableName } from '@mailcluster/common';
import { MAIL_IN_STREAM, MAIL_OUT_STREAM, type OutboundMessage, encodeFrame, mailOutSubject } from '@mailcluster/queue';
import type { MailStore, RowDataPacket } from '@mailcluster/store';
import { type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { createTransport } from 'nodemailer';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mailctl } from '../support/mailctl.ts';
import { DELIVERY_OPS_PORT, metricValue } from '../support/metrics.ts';
import type { NodeProcess } from '../support/node-process.ts';
import { DnsStub, SmtpPeer } from '../support/outbound-peers.ts';
import { startServiceProcess } from '../support/service-process.ts';
import { SmtpSink } from '../support/smtp-sink.ts';
import { createUsers, homeDbOf, killHard, openTestStore, rowsFor, stack, stackCtl, uniqueDomain } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';

const PASSWORD = 'correct horse battery';
/** hack/stack.sh leaves MAILCLUSTER_CONNECTIONS_PER_DESTINATION at its default. */
const CONNECTIONS_PER_DESTINATION = 4;
const SENT_FOLDER = 2;

describe('outbound delivery: submission → MAIL_OUT → the remote server', () => {
  let store: MailStore;
  let alice: string;
  let sink: SmtpSink | undefined;
  let peer: SmtpPeer | undefined;

  const run = `${Date.now().toString(36)}`;
  const messageId = (label: string) => `<${label}-${run}@e2e.test>`;

  function send(to: string | string[], id: string): Promise<unknown> {
    const { host, port } = stack().submission;
    return createTransport({ host, port, secure: false, requireTLS: true, tls: { ca: readFileSync(stack().tlsCertFile), servername: 'localhost' }, auth: { user: alice, pass: PASSWORD } })
      .sendMail({ from: alice, to, subject: `outbound ${id}`, text: 'Hello from mailcluster.', messageId: id });
  }

  /** A MAIL_OUT message as submission would queue it, but accepted `ageMs` ago. */
  async function queueAged(ageMs: number, mailFrom: string, recipient: string, id: string, body = 'old mail\r\n'): Promise<void> {
    const raw = Buffer.from(`From: ${mailFrom || 'bounce@e2e.test'}\r\nTo: ${recipient}\r\nSubject: aged ${id}\r\nMessage-ID: ${id}\r\n\r\n${body}`);
    const meta: OutboundMessage = { version: 1, id: randomBytes(32).toString('hex'), mailFrom, recipient, acceptedAt: Date.now() - ageMs, size: raw.length, messageId: id };
    const nc = await connect({ servers: stack().natsUrl });
    await jetstream(nc).publish(mailOutSubject(addressDomain(recipient)), encodeFrame(meta, raw), { msgID: meta.id, expect: { streamName: MAIL_OUT_STREAM } });
    await nc.close();
  }

  const arrived = (id: string) => (sink?.messages() ?? []).filter((m) => m.message.includes(`Message-ID: ${id}`));

  /** DSNs in the sender's inbox that answer message `id`. */
  async function dsnsFor(id: string): Promise<{ subject: string; raw: string }[]> {
    const [rows] = await store.pool(homeDbOf(alice)).query<RowDataPacket[]>(
      `SELECT Subject, EmailMessage FROM \`${mailTableName(addressPrefix(alice))}\` WHERE EmailTo = ? AND InReplyTo = ? AND EmailFrom = ''`,
      [alice, id],
    );
    return rows.map((r) => ({ subject: String(r.Subject), raw: (r.EmailMessage as Buffer).toString() }));
  }

  const deferred = () => metricValue(DELIVERY_OPS_PORT, 'delivery_outcomes_total', { outcome: 'deferred' });

  const queueEnv = () => ({ MAILCLUSTER_NATS_URL: stack().natsUrl.join(',') });
  /** alice's messages in `mailctl queue list`. */
  const queued = async () => {
    const listing = await mailctl(['queue', 'list', '--json'], '', queueEnv());
    expect(listing).toMatchObject({ code: 0 });
    return (JSON.parse(listing.stdout) as { id: string; to: string; from: string; state?: { attempts: number; lastError: string } }[])
      .filter((entry) => entry.from === alice);
  };

  /** alice's queue entry for `to`, once its delivery has been tried at least `attempts` times. */
  const attemptedAtLeast = (attempts: number, to: string) =>
    waitFor(`${attempts} attempt(s) to deliver to ${to}`, async () => {
      const found = (await queued()).find((e) => e.to === to);
      return (found?.state?.attempts ?? 0) >= attempts && found;
    }, { timeoutMs: 30_000 });

  /** A peer MTA for this test; afterEach stops it. */
  async function startPeer(options?: Parameters<typeof SmtpPeer.start>[0]): Promise<SmtpPeer> {
    peer = await SmtpPeer.start(options);
    return peer;
  }

  async function withStreams<T>(use: (jsm: JetStreamManager) => Promise<T>): Promise<T> {
    const nc = await connect({ servers: stack().natsUrl });
    try {
      return await use(await jetstreamManager(nc));
    } finally {
      await nc.close();
    }
  }

  beforeAll(async () => {
    store = await openTestStore();
    [alice] = (await createUsers(store, uniqueDomain('outbound'), ['alice'])) as [string];
  });
  afterEach(async () => {
    await sink?.stop();
    sink = undefined;
    await peer?.stop();
    peer = undefined;
  });
  afterAll(async () => {
    await store.close();
  });

  it('delivers to the remote server once, DKIM-signed with the key mailctl publishes', async () => {
    sink = await SmtpSink.start();
    const id = messageId('plain');
    await send('friend@remote.test', id);
    const [delivered] = await waitFor('the remote server to receive it', () => arrived(id).length > 0 && arrived(id));
    expect(delivered).toMatchObject({ mailFrom: alice, rcptTo: ['friend@remote.test'] });
    expect(delivered?.message).toMatch(/^DKIM-Signature: [^]*?\bd=outbound-/);
    expect(delivered?.message).toMatch(/\r\nReceived: from [^]*? with ESMTPSA id /);
    expect(delivered?.message).not.toMatch(/^Return-Path:/m);

    const dkim = await mailctl(['domain', 'dkim', addressDomain(alice), '--json']);
    expect(dkim).toMatchObject({ code: 0 });
    const record = JSON.parse(dkim.stdout) as { name: string; type: string; value: string };
    expect(record).toMatchObject({ name: `mc1._domainkey.${addressDomain(alice)}`, type: 'TXT', value: expect.stringMatching(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/]+=*$/) });
    const verified = await dkimVerify(Buffer.from(delivered?.message ?? ''), {
      resolver: (name: string) => Promise.resolve(name === record.name ? [[record.value]] : Promise.reject(Object.assign(new Error('no such record'), { code: 'ENOTFOUND' }))),
    });
    expect(verified.results.map((r) => [r.signingDomain, r.status.result])).toEqual([[addressDomain(alice), 'pass']]);
    await sleep(2_000);
    expect(arrived(id)).toHaveLength(1);
  });

  it('relays stored bytes as one message: bare LF, bare CR and dots normalised, NUL dropped, nothing smuggled', async () => {
    sink = await SmtpSink.start();
    const id = messageId('smuggle');
    // A second transaction hidden behind a bare-LF "end of data" (which Postfix's smtp-sink would
    // honour, so a smuggled message would show as a second transaction), and a line with a dot.
    // The same with bare CRs ("\r.\r"), which some servers take as a line end.
    const body = 'first line\n.\nMAIL FROM:<evil@remote.test>\r\nRCPT TO:<victim@remote.test>\r\nDATA\r\nsmuggled\r\n.\r\n.leading dot\r\n' +
      'bare cr\r.\rMAIL FROM:<evil@remote.test>\rRCPT TO:<victim2@remote.test>\rDATA\r\nnul:\0:end\r\n';
    await queueAged(0, alice, 'friend@remote.test', id, body);
    await waitFor('the relayed message', () => arrived(id).length > 0);
    await sleep(2_000);
    expect(sink.messages().map((m) => m.rcptTo)).toEqual([['friend@remote.test']]);
    const [relayed] = arrived(id);
    expect(relayed?.message).toContain('first line\r\n.\r\nMAIL FROM:<evil@remote.test>\r\n');
    expect(relayed?.message).toContain('\r\n.leading dot\r\nbare cr');
    expect(relayed?.message).toContain('RCPT TO:<victim2@remote.test>');
    expect(relayed?.message).toContain('nul::end\r\n');
    expect(relayed?.message).not.toContain('\0');
  });

  it('delivers over STARTTLS when the remote offers it, whatever its certificate', async () => {
    // The stack's self-signed certificate, for CN=localhost: unverifiable, and that must not matter.
    const remote = await startPeer({ starttls: true });
    const id = messageId('starttls');
    await send('secure@remote.test', id);
    const [delivered] = await waitFor('the remote server to receive it', () => remote.accepted(id).length > 0 && remote.accepted(id));
    expect(delivered).toMatchObject({ secure: true, mailFrom: alice, rcptTo: ['secure@remote.test'] });
    expect(remote.tlsUpgrades).toBeGreaterThanOrEqual(1);
    expect(remote.transactions.filter((t) => !t.secure)).toEqual([]);
  });

  it('files exactly one Sent copy of a submission whose only recipient is external', async () => {
    const remote = await startPeer();
    const id = messageId('sent-copy');
    await send('outside@remote.test', id);
    await waitFor('the remote server to receive it', () => remote.accepted(id).length > 0);
    await waitFor('the Sent copy', async () => (await rowsFor(store, [alice])).some((r) => r.messageId === id));
    await sleep(1_500);
    expect((await rowsFor(store, [alice])).filter((r) => r.messageId === id).map((r) => [r.folder, r.seen])).toEqual([[SENT_FOLDER, true]]);
    expect(remote.accepted(id)).toHaveLength(1);
  });

  it('carries several messages per connection, with at most the configured connections to one destination', async () => {
    // A slow answer to DATA makes the 12 messages wait for connections: parallel ones, up to the limit.
    const remote = await startPeer({ dataDelayMs: 200 });
    const id = messageId('pooled');
    const recipients = Array.from({ length: 12 }, (_, i) => `pooled${i}@remote.test`);
    await send(recipients, id);
    await waitFor('all 12 transactions', () => remote.accepted(id).length >= recipients.length, { timeoutMs: 30_000 });
    await sleep(500);
    const ours = remote.accepted(id);
    expect(ours.map((t) => t.rcptTo).sort()).toEqual(recipients.sort().map((r) => [r]));
    expect(remote.connections).toBeLessThanOrEqual(CONNECTIONS_PER_DESTINATION);
    expect(remote.transactions.length).toBeGreaterThan(remote.connections);
    expect(new Set(ours.map((t) => t.connection)).size).toBeLessThan(ours.length);
  });

  it('delivers after the server answered 4xx for a while, exactly once', async () => {
    sink = await SmtpSink.start(['-r', 'RCPT']);
    const before = await deferred();
    const id = messageId('retried');
    await send('later@remote.test', id);
    await waitFor('two deferred attempts', async () => (await deferred()) >= before + 2, { timeoutMs: 60_000 });
    await sink.stop();
    sink = await SmtpSink.start();
    await waitFor('delivery once the server accepts', () => arrived(id).length > 0, { timeoutMs: 60_000 });
    await sleep(3_000);
    expect(arrived(id)).toHaveLength(1);
  });

  it('retries while the remote refuses connections, and delivers once when it listens', async () => {
    // Nothing listens on the relay port: the last test's server is stopped.
    const id = messageId('unreachable');
    await send('unreachable@remote.test', id);
    const entry = await attemptedAtLeast(2, 'unreachable@remote.test');
    expect(entry.state?.lastError).toMatch(/ECONNREFUSED/);
    const remote = await startPeer();
    await waitFor('delivery once the server listens', () => remote.accepted(id).length > 0, { timeoutMs: 30_000 });
    await sleep(3_000);
    expect(remote.transactions.filter((t) => t.message.includes(id))).toHaveLength(1);
    expect((await queued()).filter((e) => e.to === 'unreachable@remote.test')).toEqual([]);
  });

  it('keeps deferred mail, and its attempts, through a restart of every component: delivered once after', async () => {
    // Nothing listens on the relay port: the message waits in MAIL_OUT with its state in the KV bucket.
    const id = messageId('survivor');
    await send('survivor@remote.test', id);
    const before = await attemptedAtLeast(1, 'survivor@remote.test');
    for (const name of ['delivery', 'smtp-ingest', 'nats']) await stackCtl('stop', name);
    for (const name of ['nats', 'smtp-ingest', 'delivery']) await stackCtl('start', name);
    const after = (await queued()).find((e) => e.to === 'survivor@remote.test');
    expect(after?.id).toBe(before.id);
    expect(after?.state?.attempts).toBeGreaterThanOrEqual(before.state?.attempts ?? 1);
    const remote = await startPeer();
    await waitFor('delivery once the server listens', () => remote.accepted(id).length > 0, { timeoutMs: 60_000 });
    await sleep(3_000);
    expect(remote.transactions.filter((t) => t.message.includes(id))).toHaveLength(1);
    expect((await queued()).filter((e) => e.to === 'survivor@remote.test')).toEqual([]);
  });

  it('shows deferred mail in `mailctl queue list`; `retry` delivers it once, `drop` removes it', async () => {
    sink = await SmtpSink.start(['-r', 'RCPT']);
    const keep = messageId('queue-keep');
    const drop = messageId('queue-drop');
    await send('keep@remote.test', keep);
    await send('drop@remote.test', drop);
    const env = queueEnv();
    const listed = await waitFor('both deferred in the queue listing', async () => {
      const entries = await queued();
      return entries.length === 2 && entries.every((e) => (e.state?.attempts ?? 0) >= 1) && entries;
    }, { timeoutMs: 60_000 });
    expect(listed.map((e) => e.to).sort()).toEqual(['drop@remote.test', 'keep@remote.test']);
    expect(listed[0]?.state?.lastError).toMatch(/\b4\d\d\b/);

    const table = await mailctl(['queue', 'list'], '', env);
    expect(table.stdout).toMatch(/^ID +TO +FROM +AGE +ATTEMPTS +NEXTATTEMPT +LASTERROR\n[0-9a-f]{12} /);

    const byTo = (to: string) => listed.find((e) => e.to === to)?.id.slice(0, 10) ?? '';
    expect(await mailctl(['queue', 'drop', byTo('drop@remote.test')], '', env)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^dropped without delivery or bounce: /) });
    expect(await mailctl(['queue', 'drop', byTo('drop@remote.test')], '', env)).toMatchObject({ code: 1, stderr: expect.stringContaining('ADMIN_ERR_UNKNOWN_DELIVERY') });
    expect(await mailctl(['queue', 'list'], '')).toMatchObject({ code: 2, stderr: expect.stringContaining('MAILCLUSTER_NATS_URL') });

    // The worker's own next attempt (1–15 s apart on the stack) must not deliver it before `retry` can.
    await stackCtl('stop', 'delivery');
    try {
      await sink.stop();
      sink = await SmtpSink.start();
      expect(await mailctl(['queue', 'retry', byTo('keep@remote.test')], '', env)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^queued for delivery now: /) });
    } finally {
      await stackCtl('start', 'delivery');
    }
    await waitFor('the retried message to arrive', () => arrived(keep).length > 0, { timeoutMs: 30_000 });
    await sleep(5_000);
    expect(arrived(keep)).toHaveLength(1);
    expect(arrived(drop)).toEqual([]);
    expect(await dsnsFor(drop)).toEqual([]);
    expect(await queued()).toEqual([]);
  });

  it('bounces a recipient the server refuses with 5xx: one DSN in the sender\'s inbox', async () => {
    sink = await SmtpSink.start(['-f', 'RCPT']);
    const id = messageId('refused');
    await send('nobody@remote.test', id);
    const [dsn] = await waitFor('the DSN', async () => {
      const found = await dsnsFor(id);
      return found.length > 0 ? found : undefined;
    }, { timeoutMs: 60_000 });
    expect(dsn?.subject).toBe('Undelivered Mail Returned to Sender');
    expect(dsn?.raw).toMatch(/Content-Type: multipart\/report; report-type=delivery-status/);
    expect(dsn?.raw).toMatch(/\r\nFinal-Recipient: rfc822; nobody@remote\.test\r\nAction: failed\r\nStatus: 5\.\d\.\d+\r\n/);
    await sleep(3_000);
    expect(await dsnsFor(id)).toHaveLength(1);
    expect(arrived(id)).toEqual([]);
  });

  it('warns the sender once when delivery is delayed, then delivers', async () => {
    sink = await SmtpSink.start(['-r', 'RCPT']);
    const id = messageId('delayed');
    await queueAged(5 * 3_600_000, alice, 'slow@remote.test', id);
    await waitFor('the delay warning', async () => (await dsnsFor(id)).length > 0, { timeoutMs: 60_000 });
    const before = await deferred();
    await waitFor('more deferred attempts', async () => (await deferred()) >= before + 2, { timeoutMs: 60_000 });
    const warnings = await dsnsFor(id);
    expect(warnings.map((w) => w.subject)).toEqual(['Delayed Mail (still being retried)']);
    expect(warnings[0]?.raw).toMatch(/\r\nAction: delayed\r\nStatus: 4\.\d\.\d+\r\n/);
    await sink.stop();
    sink = await SmtpSink.start();
    await waitFor('delivery', () => arrived(id).length > 0, { timeoutMs: 60_000 });
  });

  it('gives up on a message older than 5 days: a DSN with status 4.4.7', async () => {
    sink = await SmtpSink.start(['-r', 'RCPT']);
    const id = messageId('expired');
    await queueAged(6 * 24 * 3_600_000, alice, 'gone@remote.test', id);
    const [dsn] = await waitFor('the expiry DSN', async () => {
      const found = await dsnsFor(id);
      return found.length > 0 ? found : undefined;
    }, { timeoutMs: 60_000 });
    expect(dsn?.subject).toBe('Undelivered Mail Returned to Sender');
    expect(dsn?.raw).toMatch(/\r\nAction: failed\r\nStatus: 4\.4\.7\r\n/);
  });

  it('never bounces a message from the null sender', async () => {
    sink = await SmtpSink.start(['-f', 'RCPT']);
    const nullSenderCount = () => metricValue(DELIVERY_OPS_PORT, 'delivery_dsns_total', { result: 'null_sender' });
    const dsnsSent = () => metricValue(DELIVERY_OPS_PORT, 'delivery_dsns_total', { result: 'sent' });
    const mailInSeq = () => withStreams(async (jsm) => (await jsm.streams.info(MAIL_IN_STREAM)).state.last_seq);
    const before = { nullSender: await nullSenderCount(), sent: await dsnsSent(), mailIn: await mailInSeq() };
    const id = messageId('nullsender');
    await queueAged(0, '', 'nobody@remote.test', id);
    await waitFor('the failure to be settled without a DSN', async () => (await nullSenderCount()) > before.nullSender, { timeoutMs: 60_000 });
    await sleep(1_000);
    // A DSN would be a MAIL_IN message (to whatever address) and count as sent.
    expect(await dsnsSent()).toBe(before.sent);
    expect(await mailInSeq()).toBe(before.mailIn);
    expect(await dsnsFor(id)).toEqual([]);
    expect(arrived(id)).toEqual([]);
  });

  it('routes by the MX records of the configured DNS server, trying the next MX when one does not answer', async () => {
    const domain = `mx-${run}.test`;
    // 127.0.0.26 (preferred) refuses connections; 127.0.0.25 is the MX that answers, on port 25.
    const dns = await DnsStub.start({
      [domain]: { mx: [{ priority: 20, exchange: `mx2.${domain}` }, { priority: 10, exchange: `mx1.${domain}` }] },
      [`mx1.${domain}`]: { a: ['127.0.0.26'] },
      [`mx2.${domain}`]: { a: ['127.0.0.25'] },
    });
    let worker: NodeProcess | undefined;
    try {
      const remote = await startPeer({ host: '127.0.0.25', port: 25 });
      // Only a worker without the relay host may take the message.
      await stackCtl('stop', 'delivery');
      // It shares the stack's consumer; no relay host, and the stack's quick retries.
      worker = await startServiceProcess('delivery', { MAILCLUSTER_DNS_SERVERS: dns.address, MAILCLUSTER_RETRY_DELAYS_MS: '1000,2000', MAILCLUSTER_ACK_WAIT_MS: '15000' });
      const id = messageId('mx');
      await send(`friend@${domain}`, id);
      const [delivered] = await waitFor('delivery to the MX host', () => remote.accepted(id).length > 0 && remote.accepted(id), { timeoutMs: 30_000 });
      expect(delivered?.rcptTo).toEqual([`friend@${domain}`]);
      expect(dns.queries).toEqual(expect.arrayContaining([{ name: domain, type: 15 }, { name: `mx1.${domain}`, type: 1 }, { name: `mx2.${domain}`, type: 1 }]));
    } finally {
      worker?.signal('SIGTERM');
      await worker?.exited;
      await dns.stop();
      await stackCtl('start', 'delivery');
    }
  });

  it('delivers once although the worker is killed in DATA and the MAIL_OUT leader restarts', async () => {
    // The server reads the message and never answers: the worker dies with it in flight.
    const remote = await startPeer();
    remote.hold = true;
    const id = messageId('killed');
    await send('patient@remote.test', id);
    await waitFor('the message held open after DATA', () => remote.transactions.some((t) => t.outcome === 'held' && t.message.includes(id)));
    await killHard('delivery');
    remote.hold = false;
    const leader = await withStreams(async (jsm) => (await jsm.streams.info(MAIL_OUT_STREAM)).cluster?.leader ?? '');
    expect(leader).toMatch(/^nats-\d+$/);
    await killHard(leader);
    await stackCtl('start', leader);
    await stackCtl('start', 'delivery');
    await waitFor('delivery after the restart', () => remote.accepted(id).length > 0, { timeoutMs: 90_000 });
    await sleep(5_000);
    expect(remote.transactions.filter((t) => t.message.includes(id)).map((t) => t.outcome)).toEqual(['held', 'accepted']);
  });
});
