import { setTimeout as sleep } from 'node:timers/promises';
import { addressPrefix, mailTableName } from '@mailcluster/common';
import type { MailStore, RowDataPacket } from '@mailcluster/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceProcess, startServiceProcess } from '../support/service-process.ts';
import { SmtpClient } from '../support/smtp-client.ts';
import { createUsers, homeDbOf, openTestStore, stack, uniqueDomain } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';

describe('smtp-ingest sessions: STARTTLS, PROXY protocol, draining on SIGTERM', () => {
  let store: MailStore;
  let alice: string;

  async function storedMessage(to: string, messageId: string): Promise<string> {
    return waitFor(`${messageId} to be stored`, async () => {
      const [rows] = await store.pool(homeDbOf(to)).query<RowDataPacket[]>(
        `SELECT EmailMessage FROM \`${mailTableName(addressPrefix(to))}\` WHERE EmailTo = ? AND MessageId = ?`,
        [to, messageId],
      );
      return rows[0] ? (rows[0].EmailMessage as Buffer).toString() : undefined;
    });
  }

  async function sendOn(client: SmtpClient, messageId: string): Promise<number> {
    const mail = await client.command('MAIL FROM:<sender@outside.test>');
    const rcpt = await client.command(`RCPT TO:<${alice}>`);
    if (mail.code !== 250 || rcpt.code !== 250) throw new Error(`MAIL ${mail.code} ${mail.text}; RCPT ${rcpt.code} ${rcpt.text}`);
    return (await client.data(`Subject: session\r\nMessage-ID: ${messageId}\r\n\r\nhello\r\n`)).code;
  }

  beforeAll(async () => {
    store = await openTestStore();
    [alice] = (await createUsers(store, uniqueDomain('session'), ['alice'])) as [string];
  });

  afterAll(async () => {
    await store.close();
  });

  it('offers STARTTLS and records the TLS session in the Received line', async () => {
    const client = await SmtpClient.connect(stack().smtp.host, stack().smtp.port);
    expect((await client.command('EHLO tls.test')).lines).toContain('STARTTLS');
    expect((await client.startTls()).code).toBe(220);
    expect((await client.command('EHLO tls.test')).code).toBe(250);
    expect(await sendOn(client, '<tls@e2e.test>')).toBe(250);
    await client.quit();
    expect(await storedMessage(alice, '<tls@e2e.test>')).toMatch(/with ESMTPS id/);
  });

  describe('behind a load balancer speaking the PROXY protocol', () => {
    let ingest: ServiceProcess;
    beforeAll(async () => {
      ingest = await startServiceProcess('smtp-ingest', { MAILCLUSTER_SMTP_PROXY_PROTOCOL: 'true', MAILCLUSTER_MAX_CONNECTIONS_PER_IP: '2' });
    });
    afterAll(async () => {
      ingest.signal('SIGTERM');
      await ingest.exited;
    });

    it('sees the real client address', async () => {
      const port = ingest.ports['SMTP inbound listening'] as number;
      const client = await SmtpClient.connect('127.0.0.1', port, { proxyHeader: 'PROXY TCP4 203.0.113.9 127.0.0.1 40000 25\r\n' });
      await client.command('EHLO proxied.test');
      expect(await sendOn(client, '<proxied@e2e.test>')).toBe(250);
      await client.quit();
      expect(await storedMessage(alice, '<proxied@e2e.test>')).toMatch(/Received: from proxied\.test \(\[203\.0\.113\.9\]\)/);
    });

    it('applies connection limits to the real client address, not the balancer', async () => {
      const port = ingest.ports['SMTP inbound listening'] as number;
      const from = (ip: string) => SmtpClient.connect('127.0.0.1', port, { proxyHeader: `PROXY TCP4 ${ip} 127.0.0.1 40000 25\r\n` });
      const held = [await from('198.51.100.1'), await from('198.51.100.1')];
      const third = await from('198.51.100.1');
      expect(third.greeting?.code).toBe(421);
      const other = await from('198.51.100.2');
      expect(other.greeting?.code).toBe(220);
      for (const client of [...held, third, other]) client.destroy();
    });
  });

  it('closes an idle session with 421, and refuses a new transaction on a session past its time limit', async () => {
    const ingest = await startServiceProcess('smtp-ingest', { MAILCLUSTER_IDLE_TIMEOUT_MS: '2000', MAILCLUSTER_SESSION_TIMEOUT_MS: '3000' });
    try {
      const port = ingest.ports['SMTP inbound listening'] as number;
      const idle = await SmtpClient.connect('127.0.0.1', port);
      await idle.command('EHLO idle.test');
      // Silent past the idle timeout: the server speaks first, then hangs up.
      expect((await idle.readReply()).code).toBe(421);
      await waitFor('the idle connection to be closed', () => idle.closed, { timeoutMs: 5_000, intervalMs: 50 });

      // Busy but never done: each command keeps it from idling, the session clock still runs.
      const slow = await SmtpClient.connect('127.0.0.1', port);
      await slow.command('EHLO slow.test');
      expect(await sendOn(slow, '<before-limit@e2e.test>')).toBe(250);
      // Commands 500 ms apart: never idle for 2 s, busy past the 3 s limit (a loaded machine has slack).
      for (let i = 0; i < 7; i++) {
        await sleep(500);
        expect((await slow.command('NOOP')).code).toBe(250);
      }
      const late = await slow.command('MAIL FROM:<sender@outside.test>');
      expect([late.code, late.text.slice(0, 5)]).toEqual([421, '4.4.2']);
      slow.destroy();
      expect(await storedMessage(alice, '<before-limit@e2e.test>')).toContain('hello');
    } finally {
      ingest.signal('SIGTERM');
      await ingest.exited;
    }
  });

  it('drains on SIGTERM: the message in DATA is accepted, new transactions get 421, then it exits 0', async () => {
    const ingest = await startServiceProcess('smtp-ingest');
    const port = ingest.ports['SMTP inbound listening'] as number;
    const busy = await SmtpClient.connect('127.0.0.1', port);
    const idle = await SmtpClient.connect('127.0.0.1', port);
    await busy.command('EHLO busy.test');
    await idle.command('EHLO idle.test');
    await busy.command('MAIL FROM:<sender@outside.test>');
    await busy.command(`RCPT TO:<${alice}>`);
    expect((await busy.command('DATA')).code).toBe(354);
    busy.write('Subject: in flight\r\nMessage-ID: <draining@e2e.test>\r\n\r\nfirst half\r\n');

    ingest.signal('SIGTERM');
    await waitFor('the listener to close', async () => {
      try {
        (await SmtpClient.connect('127.0.0.1', port)).destroy();
        return false;
      } catch {
        return true;
      }
    });
    busy.write('second half\r\n.\r\n');
    expect((await busy.readReply()).code).toBe(250);
    const refused = await idle.command('MAIL FROM:<sender@outside.test>');
    expect(refused.code).toBe(421);
    busy.destroy();
    expect(await ingest.exited).toBe(0);
    expect(await storedMessage(alice, '<draining@e2e.test>')).toContain('first half\r\nsecond half');
  });
});
