import { createHash } from 'node:crypto';
import { addressPrefix, mailTableName } from '@mailcluster/common';
import type { MailStore, RowDataPacket } from '@mailcluster/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGE_KINDS, type TestMessage, buildMessage } from '../support/messages.ts';
import { deliver } from '../support/sender.ts';
import { runConcurrently } from '../support/traffic.ts';
import { copyCounts, createUsers, homeDbOf, openTestStore, rowsFor, stack, uniqueDomain } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';

/** Local parts spread over many prefixes (and so over both dbs), including digits and `_`. */
const LOCALS = [
  'john', 'alice', 'bob', 'carol', 'dave', 'eve', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'karl', 'liam',
  'mona', 'nina', 'oscar', 'peggy', 'quinn', 'rupert', 'sybil', 'trent', 'ursula', 'victor', 'walter', 'xena',
  'yves', 'zoe', '0day', '9lives', '_under', 'j.x', 'jo.hnson',
];
const MESSAGES = 500;
const SENDERS = 8;

describe('inbound pipeline: SMTP → JetStream → writers → shard tables', () => {
  let store: MailStore;
  let users: string[];
  const messages: TestMessage[] = [];

  beforeAll(async () => {
    store = await openTestStore();
    users = await createUsers(store, uniqueDomain('pipeline'), LOCALS);
    for (let i = 0; i < MESSAGES - 1; i++) {
      const kind = MESSAGE_KINDS[i % MESSAGE_KINDS.length] ?? 'plain';
      const to = users[i % users.length] as string;
      const message = await buildMessage(kind, 'sender@outside.test', to, `pipeline-${i}`);
      // Every 50th message also goes to two more users: one transaction, three copies.
      if (i % 50 === 0) message.to.push(users[(i + 1) % users.length] as string, users[(i + 7) % users.length] as string);
      messages.push(message);
    }
    messages.push(await buildMessage('huge', 'sender@outside.test', users[0] as string, 'pipeline-huge'));
  }, 120_000);

  afterAll(async () => {
    await store.close();
  });

  it('spreads the users over both dbs', () => {
    expect(new Set(users.map(homeDbOf)).size).toBe(2);
    expect(new Set(users.map(addressPrefix)).size).toBeGreaterThanOrEqual(30);
  });

  it('stores each of 500 mixed messages exactly once, in the right table on the right db', async () => {
    const { host, port } = stack().smtp;
    const outcomes: string[] = [];
    await runConcurrently(messages, SENDERS, async (message) => {
      const delivery = await deliver(host, port, { from: message.from, to: message.to, raw: message.raw }, { attempts: 3 });
      if (delivery.outcome !== 'delivered') outcomes.push(`${message.messageId}: ${delivery.outcome} ${delivery.final?.code} ${delivery.final?.text}`);
    });
    expect(outcomes).toEqual([]);

    const expected = new Map<string, number>();
    for (const m of messages) for (const to of m.to) expected.set(`${to} ${m.messageId}`, 1);
    const rows = await waitFor('every copy to be stored', async () => {
      const found = await rowsFor(store, users);
      return found.length >= expected.size ? found : undefined;
    }, { timeoutMs: 180_000, intervalMs: 1_000 });

    expect(rows).toHaveLength(expected.size);
    expect(Object.fromEntries(copyCounts(rows))).toEqual(Object.fromEntries(expected));
    for (const row of rows) {
      expect(row.db, row.emailTo).toBe(homeDbOf(row.emailTo));
      expect(row.table, row.emailTo).toBe(mailTableName(addressPrefix(row.emailTo)));
    }
  });

  it('keeps the bytes of a 20 MB message (larger than a NATS message) and of an 8-bit one', async () => {
    const huge = messages.at(-1) as TestMessage;
    expect(huge.raw.length).toBeGreaterThan(20_000_000);
    const eightBit = messages.find((m) => m.raw.includes('Content-Transfer-Encoding: 8bit')) as TestMessage;
    for (const message of [huge, eightBit]) {
      const to = message.to[0] as string;
      const [rows] = await store.pool(homeDbOf(to)).query<RowDataPacket[]>(
        `SELECT EmailMessage, Size FROM \`${mailTableName(addressPrefix(to))}\` WHERE EmailTo = ? AND MessageId = ?`,
        [to, message.messageId],
      );
      const stored = rows[0]?.EmailMessage as Buffer;
      expect(stored.toString('latin1')).toMatch(/^Return-Path: <sender@outside\.test>\r\nReceived: from sender\.test/);
      const body = stored.subarray(stored.length - message.raw.length);
      expect(createHash('sha256').update(body).digest('hex')).toBe(createHash('sha256').update(message.raw).digest('hex'));
      expect(Number(rows[0]?.Size)).toBe(stored.length);
    }
  });

  it('stores what the web tier needs: decoded headers, snippet, attachments', async () => {
    const encoded = messages.find((m) => m.messageId === '<pipeline-3@e2e.test>') as TestMessage;
    const withFiles = messages.find((m) => m.messageId === '<pipeline-2@e2e.test>') as TestMessage;
    const query = async (message: TestMessage) => {
      const to = message.to[0] as string;
      const [rows] = await store.pool(homeDbOf(to)).query<RowDataPacket[]>(
        `SELECT Subject, FromName, FromAddress, Snippet, HasAttachments, Attachments, SentAt, Folder, Seen FROM \`${mailTableName(addressPrefix(to))}\` WHERE EmailTo = ? AND MessageId = ?`,
        [to, message.messageId],
      );
      return rows[0] as RowDataPacket;
    };
    const a = await query(encoded);
    expect(a.Subject).toBe('Grüße pipeline-3 — 日本語 🎉');
    expect(a.FromName).toBe('李雷 & Zoë “Quotes”');
    expect(a.FromAddress).toBe('sender@outside.test');
    expect(a.Snippet).toBe('Ünïcödé body with quoted-printable');
    expect([a.Folder, a.Seen]).toEqual([1, 0]);
    const b = await query(withFiles);
    expect(b.HasAttachments).toBe(1);
    const attachments = (typeof b.Attachments === 'string' ? JSON.parse(b.Attachments) : b.Attachments) as { filename: string; size: number }[];
    expect(attachments.map((x) => [x.filename, x.size])).toEqual([['report.pdf', 30_009], ['notes.txt', 12]]);
    expect((b.SentAt as Date).toISOString()).toBe('2026-11-28T09:00:00.000Z');
  });
});
