import type { MailStore } from '@mailcluster/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_OPS_PORT, metricValue } from '../support/metrics.ts';
import { SmtpClient, type SmtpReply } from '../support/smtp-client.ts';
import { deliver } from '../support/sender.ts';
import { createUsers, openTestStore, rowsFor, stack, uniqueDomain } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';

const CLEAN = 'From: a@outside.test\r\nSubject: fine\r\n\r\nbody\r\n';

describe('smtp-ingest refuses bad input with the right reply and keeps serving', () => {
  let store: MailStore;
  const domain = uniqueDomain('badinput');
  let alice: string;
  let bob: string;

  /** A session that has passed EHLO, MAIL FROM and one RCPT TO. */
  async function session(to = alice): Promise<SmtpClient> {
    const client = await SmtpClient.connect(stack().smtp.host, stack().smtp.port);
    expect((await client.command('EHLO tester.test')).code).toBe(250);
    expect((await client.command('MAIL FROM:<a@outside.test>')).code).toBe(250);
    expect((await client.command(`RCPT TO:<${to}>`)).code).toBe(250);
    return client;
  }

  /** After every refusal, another client still gets its mail accepted. */
  async function stillServing(): Promise<void> {
    const delivery = await deliver(stack().smtp.host, stack().smtp.port, { from: 'a@outside.test', to: [bob], raw: Buffer.from(CLEAN) });
    expect(delivery.outcome).toBe('delivered');
  }

  function expectReply(reply: SmtpReply, code: number, enhanced: string, pattern?: RegExp): void {
    expect(reply.code, reply.text).toBe(code);
    expect(reply.text.startsWith(enhanced), reply.text).toBe(true);
    if (pattern) expect(reply.text).toMatch(pattern);
  }

  beforeAll(async () => {
    store = await openTestStore();
    [alice, bob] = (await createUsers(store, domain, ['alice', 'bob'])) as [string, string];
  });

  afterAll(async () => {
    await store.close();
  });

  it('550 5.1.1 for an unknown user of a hosted domain, counted by reason', async () => {
    const counted = () => metricValue(INGEST_OPS_PORT, 'smtp_recipients_rejected_total', { listener: 'inbound', reason: 'SMTP_ERR_UNKNOWN_USER' });
    const before = await counted();
    const client = await SmtpClient.connect(stack().smtp.host, stack().smtp.port);
    await client.command('EHLO tester.test');
    await client.command('MAIL FROM:<a@outside.test>');
    expectReply(await client.command(`RCPT TO:<nobody@${domain}>`), 550, '5.1.1');
    await client.quit();
    expect(await counted()).toBe(before + 1);
    await stillServing();
  });

  it.each([
    ['a foreign domain', 'victim@foreign.test'],
    ['a percent hack', `victim%foreign.test@${domain}`],
    ['an IP literal', 'victim@[192.0.2.1]'],
    ['a quoted local part with @', `"victim@foreign.test"@${domain}`],
  ])('refuses to relay to %s', async (what, rcpt) => {
    const relayRefusals = () => metricValue(INGEST_OPS_PORT, 'smtp_recipients_rejected_total', { listener: 'inbound', reason: 'SMTP_ERR_RELAY_DENIED' });
    const before = await relayRefusals();
    const client = await SmtpClient.connect(stack().smtp.host, stack().smtp.port);
    await client.command('EHLO tester.test');
    await client.command('MAIL FROM:<a@outside.test>');
    const reply = await client.command(`RCPT TO:<${rcpt}>`);
    // Nothing to send: DATA without an accepted recipient is refused too.
    expect((await client.command('DATA')).code, 'DATA').toBeGreaterThanOrEqual(500);
    await client.quit();
    if (what === 'a foreign domain') {
      expectReply(reply, 554, '5.7.1', /Relay access denied/);
      expect(await relayRefusals()).toBe(before + 1);
    } else {
      // Some of these never parse as an address (smtp-server answers 501 itself); none is accepted.
      expect(reply.code, reply.text).toBeGreaterThanOrEqual(500);
    }
    await stillServing();
  });

  it('552 at MAIL FROM for a declared size over the limit, and at end of DATA for a real one', async () => {
    const client = await SmtpClient.connect(stack().smtp.host, stack().smtp.port);
    const ehlo = await client.command('EHLO tester.test');
    const limit = Number(/SIZE (\d+)/.exec(ehlo.text)?.[1]);
    expect(limit).toBe(25 * 1024 * 1024);
    expect((await client.command(`MAIL FROM:<a@outside.test> SIZE=${limit + 1}`)).code).toBe(552);
    await client.quit();

    const big = await session();
    const line = `${'x'.repeat(76)}\r\n`;
    const reply = await big.data(Buffer.from(`Subject: big\r\n\r\n${line.repeat(Math.ceil(limit / line.length) + 10)}`));
    expect(reply.code, reply.text).toBe(552);
    await big.quit();
    await stillServing();
  });

  it('452 4.5.3 for recipient 101, while the first 100 are accepted', async () => {
    const users = await createUsers(store, domain, Array.from({ length: 101 }, (_, i) => `many${i}`));
    const client = await SmtpClient.connect(stack().smtp.host, stack().smtp.port);
    await client.command('EHLO tester.test');
    await client.command('MAIL FROM:<a@outside.test>');
    for (const user of users.slice(0, 100)) expect((await client.command(`RCPT TO:<${user}>`)).code).toBe(250);
    expectReply(await client.command(`RCPT TO:<${users[100]}>`), 452, '4.5.3');
    expect((await client.data(`Subject: to many\r\nMessage-ID: <many@e2e.test>\r\n\r\nhi\r\n`)).code).toBe(250);
    await client.quit();
    const rows = await waitFor('100 copies', async () => {
      const found = await rowsFor(store, users);
      return found.length >= 100 ? found : undefined;
    });
    expect(rows.map((r) => r.emailTo).sort()).toEqual(users.slice(0, 100).sort());
  });

  it('554 5.6.0 for a line over 998 characters', async () => {
    const client = await session();
    expectReply(await client.data(`Subject: long\r\n\r\n${'y'.repeat(999)}\r\n`), 554, '5.6.0', /line too long/);
    await client.quit();
    await stillServing();
  });

  it('554 5.6.0 for NUL bytes', async () => {
    const client = await session();
    expectReply(await client.data(Buffer.from('Subject: nul\r\n\r\nbad\x00byte\r\n', 'latin1')), 554, '5.6.0', /NUL/);
    await client.quit();
    await stillServing();
  });

  it('554 5.6.0 for MIME nested too deep and for too many parts', async () => {
    const nested = (depth: number): string => {
      let body = 'Content-Type: text/plain\r\n\r\ninner\r\n';
      for (let i = depth; i > 0; i--) body = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${body}--b${i}--\r\n`;
      return `Subject: nested\r\nMIME-Version: 1.0\r\n${body}`;
    };
    const deep = await session();
    expectReply(await deep.data(nested(60)), 554, '5.6.0', /nested deeper/);
    await deep.quit();

    const parts = Array.from({ length: 1_200 }, (_, i) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('');
    const wide = await session();
    expectReply(await wide.data(`Subject: wide\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n${parts}--b--\r\n`), 554, '5.6.0', /MIME parts/);
    await wide.quit();

    const header = await session();
    expectReply(await header.data(`Subject: h\r\n${'X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n'.repeat(8_000)}\r\nbody\r\n`), 554, '5.6.0', /header block/);
    await header.quit();
    await stillServing();
  });

  it('accepts malformed but readable headers and stores what it can', async () => {
    const raw = 'Subject =?utf-8?q?broken\r\nFrom: <<not an address>>\r\nDate: yesterday-ish\r\nMessage-ID: <malformed@e2e.test>\r\nno colon line\r\n\r\nbody\r\n';
    const client = await session();
    expect((await client.data(raw)).code).toBe(250);
    await client.quit();
    const rows = await waitFor('the malformed message', async () => (await rowsFor(store, [alice])).find((r) => r.messageId === '<malformed@e2e.test>'));
    expect(rows).toBeDefined();
  });

  // hannob/smtpsmug: a false end-of-data, then a smuggled second transaction, then the real end.
  it.each(['\n.\n', '\r.\r', '\r.\n', '\n.\r', '\n.\r\n', '\r\n.\n', '\r.\r\n', '\r\n.\r', '\r\n\x00.\r\n'])(
    'refuses the smuggling sequence %j and runs none of the smuggled commands',
    async (sequence) => {
      const smuggled = `MAIL FROM:<ceo@${domain}>\r\nRCPT TO:<${bob}>\r\nDATA\r\nSubject: smuggled\r\nMessage-ID: <smuggled@e2e.test>\r\n\r\nsmuggled\r\n`;
      const client = await session(alice);
      const reply = await client.dataRaw(Buffer.from(`Subject: carrier\r\n\r\nhello${sequence}${smuggled}.\r\n`, 'latin1'));
      expect(reply.code, reply.text).toBe(554);
      // Exactly one reply came: the smuggled commands were message text, never commands.
      expect((await client.command('NOOP')).code).toBe(250);
      await client.quit();
      // A marker sent after it, once stored, means anything accepted before it had its chance to be stored too.
      const marker = `<after-smuggling-${Date.now()}@e2e.test>`;
      expect((await deliver(stack().smtp.host, stack().smtp.port, { from: 'a@outside.test', to: [bob], raw: Buffer.from(`Message-ID: ${marker}\r\n${CLEAN}`) })).outcome).toBe('delivered');
      await waitFor('the marker to be stored', async () => (await rowsFor(store, [bob])).some((r) => r.messageId === marker));
      expect((await rowsFor(store, [bob])).filter((r) => r.messageId === '<smuggled@e2e.test>')).toEqual([]);
    },
  );

  it('421 4.7.0 once a client IP holds too many connections, and others are unaffected', async () => {
    const clients: SmtpClient[] = [];
    let refused: SmtpReply | undefined;
    for (let i = 0; i < 25 && !refused; i++) {
      const client = await SmtpClient.connect(stack().smtp.host, stack().smtp.port);
      if (client.greeting?.code === 421) refused = client.greeting;
      clients.push(client);
    }
    expect(refused?.text).toMatch(/^4\.7\.0 Too many connections/);
    for (const client of clients) client.destroy();
    await waitFor('connection slots to be released', async () => {
      const probe = await SmtpClient.connect(stack().smtp.host, stack().smtp.port);
      probe.destroy();
      return probe.greeting?.code === 220;
    });
    await stillServing();
  });
});
