import { readFileSync } from 'node:fs';
import type { MailStore } from '@mailcluster/store';
import { createTransport } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAdmin } from '../support/admin.ts';
import { startServiceProcess } from '../support/service-process.ts';
import { SmtpClient } from '../support/smtp-client.ts';
import { copyCounts, createUsers, openTestStore, rowsFor, stack, uniqueDomain } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';

const PASSWORD = 'correct horse battery';
const plain = (user: string, password: string) => Buffer.from(`\0${user}\0${password}`).toString('base64');

describe('submission: authenticated senders, their Sent copy, nothing forged', () => {
  let store: MailStore;
  let alice: string;
  let bob: string;
  let mallory: string;

  function transport(user: string, pass: string) {
    const { host, port } = stack().submission;
    return createTransport({ host, port, secure: false, requireTLS: true, tls: { ca: readFileSync(stack().tlsCertFile), servername: 'localhost' }, auth: { user, pass } });
  }

  async function tlsSession(port = stack().submission.port, proxyHeader?: string): Promise<SmtpClient> {
    const client = await SmtpClient.connect(stack().submission.host, port, proxyHeader === undefined ? {} : { proxyHeader });
    await client.command('EHLO client.test');
    expect((await client.startTls()).code).toBe(220);
    expect((await client.command('EHLO client.test')).lines).toContain('AUTH PLAIN LOGIN');
    return client;
  }

  beforeAll(async () => {
    store = await openTestStore();
    [alice, bob, mallory] = (await createUsers(store, uniqueDomain('submission'), ['alice', 'bob', 'mallory'])) as [string, string, string];
  });

  afterAll(async () => {
    await store.close();
  });

  it('delivers to a hosted recipient and files exactly one Sent copy, also when the client sends it again', async () => {
    const raw = await new MailComposer({ from: alice, to: bob, subject: 'via submission', text: 'hello bob', messageId: '<submitted@e2e.test>', date: new Date('2026-11-28T10:00:00Z') }).compile().build();
    // The same bytes twice, as a client does that did not see the 250.
    for (let i = 0; i < 2; i++) {
      const info = await transport(alice, PASSWORD).sendMail({ envelope: { from: alice, to: [bob] }, raw });
      expect(info.accepted).toEqual([bob]);
    }
    const rows = await waitFor('inbox and sent copies', async () => {
      const found = (await rowsFor(store, [alice, bob])).filter((r) => r.messageId === '<submitted@e2e.test>');
      return found.length >= 2 ? found : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(Object.fromEntries(copyCounts(await rowsFor(store, [alice, bob])))).toEqual({
      [`${bob} <submitted@e2e.test>`]: 1,
      [`${alice} <submitted@e2e.test> folder=2`]: 1,
    });
    expect(rows.find((r) => r.emailTo === alice)?.seen).toBe(true);
  });

  it('files mail a user sends to themselves once in the Inbox and once in Sent', async () => {
    await transport(alice, PASSWORD).sendMail({ from: alice, to: alice, subject: 'note to self', text: 'x', messageId: '<self@e2e.test>' });
    const rows = await waitFor('both copies', async () => {
      const found = (await rowsFor(store, [alice])).filter((r) => r.messageId === '<self@e2e.test>');
      return found.length >= 2 ? found : undefined;
    });
    expect(rows.map((r) => [r.folder, r.seen]).sort()).toEqual([[1, false], [2, true]]);
  });

  it('refuses AUTH before STARTTLS and mail before AUTH', async () => {
    const client = await SmtpClient.connect(stack().submission.host, stack().submission.port);
    await client.command('EHLO client.test');
    expect((await client.command(`AUTH PLAIN ${plain(alice, PASSWORD)}`)).code).toBe(538);
    expect((await client.command(`MAIL FROM:<${alice}>`)).code).toBe(530);
    await client.quit();
  });

  it('refuses a forged envelope sender with 553 5.7.1', async () => {
    const client = await tlsSession();
    expect((await client.command(`AUTH PLAIN ${plain(mallory, PASSWORD)}`)).code).toBe(235);
    const forged = await client.command(`MAIL FROM:<${alice}>`);
    expect([forged.code, forged.text.slice(0, 5)]).toEqual([553, '5.7.1']);
    expect((await client.command('MAIL FROM:<>')).code).toBe(553);
    await client.quit();
  });

  it('answers a wrong password with 535 5.7.8, and throttles guessing per account and per IP', async () => {
    // Its own ingest process, so the throttle it trips does not lock the shared stack's loopback out.
    const ingest = await startServiceProcess('smtp-ingest', {
      MAILCLUSTER_SMTP_PROXY_PROTOCOL: 'true',
      MAILCLUSTER_SUBMISSION_LISTEN: '127.0.0.1:0',
      MAILCLUSTER_TLS_CERT_FILE: stack().tlsCertFile,
      MAILCLUSTER_TLS_KEY_FILE: stack().tlsCertFile.replace(/\.crt$/, '.key'),
    });
    const port = ingest.ports['SMTP submission listening'] as number;
    const tryAuth = async (ip: string, user: string, password: string) => {
      const client = await tlsSession(port, `PROXY TCP4 ${ip} 127.0.0.1 40000 587\r\n`);
      const reply = await client.command(`AUTH PLAIN ${plain(user, password)}`);
      await client.quit();
      return reply;
    };
    try {
      const wrong = await tryAuth('198.51.100.7', bob, 'not the password');
      expect([wrong.code, wrong.text.slice(0, 5)]).toEqual([535, '5.7.8']);
      // One account guessed from many addresses: locked after 10 failures, even for the right password.
      for (let i = 1; i < 10; i++) expect((await tryAuth(`198.51.100.${10 + i}`, bob, 'guess')).code).toBe(535);
      expect((await tryAuth('198.51.100.99', bob, PASSWORD)).text).toMatch(/^4\.7\.0 Too many failed/);
      // One address guessing many accounts: blocked after 30, while other addresses still get in.
      for (let i = 0; i < 30; i++) expect((await tryAuth('203.0.113.5', `nobody${i}@nowhere.test`, 'guess')).code).toBe(535);
      expect((await tryAuth('203.0.113.5', alice, PASSWORD)).code).toBe(454);
      expect((await tryAuth('203.0.113.6', alice, PASSWORD)).code).toBe(235);
    } finally {
      ingest.signal('SIGTERM');
      await ingest.exited;
    }
  });

  it('limits how many recipients one sender may address per hour: 450 4.7.1 past it', async () => {
    const ingest = await startServiceProcess('smtp-ingest', {
      MAILCLUSTER_SUBMISSION_LISTEN: '127.0.0.1:0',
      MAILCLUSTER_SUBMISSION_RECIPIENTS_PER_HOUR: '3',
      MAILCLUSTER_TLS_CERT_FILE: stack().tlsCertFile,
      MAILCLUSTER_TLS_KEY_FILE: stack().tlsCertFile.replace(/\.crt$/, '.key'),
    });
    try {
      const client = await tlsSession(ingest.ports['SMTP submission listening']);
      expect((await client.command(`AUTH PLAIN ${plain(alice, PASSWORD)}`)).code).toBe(235);
      expect((await client.command(`MAIL FROM:<${alice}>`)).code).toBe(250);
      for (const to of [bob, mallory, 'friend@remote.test']) expect((await client.command(`RCPT TO:<${to}>`)).code).toBe(250);
      const over = await client.command('RCPT TO:<another@remote.test>');
      expect([over.code, over.text.slice(0, 5)]).toEqual([450, '4.7.1']);
      await client.quit();
    } finally {
      ingest.signal('SIGTERM');
      await ingest.exited;
    }
  });

  it('lets the web tier send as any hosted user, but not as a stranger', async () => {
    const { user, password } = stack().submission;
    await transport(user, password).sendMail({ from: bob, to: alice, subject: 'from the web tier', text: 'x', messageId: '<webtier@e2e.test>' });
    await waitFor('the web tier mail in Bob\'s Sent', async () =>
      (await rowsFor(store, [bob])).some((r) => r.messageId === '<webtier@e2e.test>' && r.folder === 2));
    await expect(transport(user, password).sendMail({ from: 'stranger@outside.test', to: alice, subject: 'x', text: 'x' })).rejects.toThrow(/553/);
  });

  it('resolves aliases both ways and keeps quotas, as the MX listener does', async () => {
    const admin = testAdmin(store);
    const domain = alice.split('@')[1];
    await admin.aliases.add(`sales@${domain}`, [alice]);
    await admin.aliases.add(`team@${domain}`, [alice, bob]);

    // Alice writes as the alias that reaches her; her Sent copy is filed in her own mailbox.
    await transport(alice, PASSWORD).sendMail({ from: `sales@${domain}`, to: `team@${domain}`, subject: 'as sales', text: 'x', messageId: '<as-alias@e2e.test>' });
    await waitFor('the team copies and the Sent copy', async () => {
      const rows = (await rowsFor(store, [alice, bob])).filter((r) => r.messageId === '<as-alias@e2e.test>');
      return rows.length >= 3;
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(Object.fromEntries(copyCounts((await rowsFor(store, [alice, bob])).filter((r) => r.messageId === '<as-alias@e2e.test>')))).toEqual({
      [`${alice} <as-alias@e2e.test>`]: 1,
      [`${alice} <as-alias@e2e.test> folder=2`]: 1,
      [`${bob} <as-alias@e2e.test>`]: 1,
    });
    // An alias that does not reach the sender is not theirs to use.
    await expect(transport(mallory, PASSWORD).sendMail({ from: `sales@${domain}`, to: bob, subject: 'x', text: 'x' })).rejects.toThrow(/553/);

    // Mallory has never received mail, so no cached answer hides the quota set now.
    await admin.users.setQuota(mallory, 4_000);
    try {
      const client = await tlsSession();
      await client.command(`AUTH PLAIN ${plain(alice, PASSWORD)}`);
      await client.command(`MAIL FROM:<${alice}> SIZE=5000`);
      const full = await client.command(`RCPT TO:<${mallory}>`);
      expect([full.code, full.text.slice(0, 5)]).toEqual([452, '4.2.2']);
      await client.quit();
    } finally {
      await admin.users.setQuota(mallory, 0);
    }
  });

  it('refuses external recipients when outbound delivery is off', async () => {
    const ingest = await startServiceProcess('smtp-ingest', {
      MAILCLUSTER_SUBMISSION_LISTEN: '127.0.0.1:0',
      MAILCLUSTER_OUTBOUND_ENABLED: 'false',
      MAILCLUSTER_TLS_CERT_FILE: stack().tlsCertFile,
      MAILCLUSTER_TLS_KEY_FILE: stack().tlsCertFile.replace(/\.crt$/, '.key'),
    });
    try {
      const client = await tlsSession(ingest.ports['SMTP submission listening']);
      await client.command(`AUTH PLAIN ${plain(alice, PASSWORD)}`);
      await client.command(`MAIL FROM:<${alice}>`);
      const refused = await client.command('RCPT TO:<friend@elsewhere.test>');
      expect([refused.code, refused.text.slice(0, 5)]).toEqual([554, '5.7.1']);
      expect((await client.command(`RCPT TO:<${bob}>`)).code).toBe(250);
      await client.quit();
    } finally {
      ingest.signal('SIGTERM');
      await ingest.exited;
    }
  });
});
