import { randomBytes } from 'node:crypto';
import { mailTableName } from '@mailcluster/common';
import {
  type Pool,
  type RowDataPacket,
  folderPageQuery,
  listConversations,
  listFolder,
  mailTableDdl,
  mailboxUsage,
  searchMail,
  threadOf,
  unreadCounts,
} from '@mailcluster/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScratchDb, scratchDb } from '../support/scratch-db.ts';

/**
 * The web tier's queries on a 100,000-message mailbox that shares its shard table with other
 * users (ADR 0006): search, the first page, unread counts, a thread, conversations, quota.
 * Real MariaDB with the stack's settings, a throwaway database, rows inserted directly.
 */
const OWNER = 'jo.heavy@scale.test';
const MESSAGES = 100_000;
const NEIGHBOURS = 50_000;
const WORDS = Array.from({ length: 3000 }, (_, i) => `w${(i * 7919).toString(36)}x`);

function pick(seed: number, count: number): string {
  let out = '';
  let x = seed;
  for (let i = 0; i < count; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out += `${WORDS[x % WORDS.length]} `;
  }
  return out;
}

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await run();
  return { ms: performance.now() - start, result };
}

describe('mailbox queries at 100k messages', () => {
  let scratch: ScratchDb;
  let pool: Pool;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    scratch = await scratchDb('scale');
    pool = scratch.pool;
    const table = mailTableName('jo');
    await pool.query(mailTableDdl(table));
    const start = performance.now();
    const total = MESSAGES + NEIGHBOURS;
    for (let offset = 0; offset < total; offset += 2000) {
      const rows: unknown[][] = [];
      for (let i = offset; i < Math.min(total, offset + 2000); i++) {
        const mine = i < MESSAGES;
        const thread = Math.floor(i / 4);
        const body = `${pick(i, 40)}${i % 10_000 === 7 ? 'zanzibar ' : ''}`;
        rows.push([
          mine ? OWNER : `jo.${i % 997}@scale.test`,
          `sender${i % 500}@outside.test`,
          Buffer.from(`Subject: s${i}\r\n\r\n${body}`),
          i % 20 === 0 ? 2 : 1,
          i % 13 === 0 ? 0 : 1,
          `${pick(i + 1, 5)}report ${i}`,
          `Sender ${i % 500}`,
          `sender${i % 500}@outside.test`,
          mine ? OWNER : 'x@scale.test',
          new Date(Date.UTC(2020, 0, 1) + i * 60_000),
          body.length + 100,
          body.slice(0, 200),
          `<m${i}@scale.test>`,
          i % 4 === 0 ? null : `<m${thread * 4}@scale.test>`,
          i % 4 === 0 ? null : `<m${thread * 4}@scale.test>`,
          body,
          randomBytes(32),
        ]);
      }
      await pool.query(
        `INSERT INTO \`${table}\` (EmailTo, EmailFrom, EmailMessage, Folder, Seen, Subject, FromName, FromAddress, ToDisplay, ReceivedAt, Size, Snippet, MessageId, InReplyTo, ReferenceIds, BodyText, DedupeKey, StoredAt)
         VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6))').join(', ')}`,
        rows.flat(),
      );
    }
    timings.insertSeconds = (performance.now() - start) / 1000;
    await pool.query(`ANALYZE TABLE \`${table}\``);
  }, 900_000);

  afterAll(async () => {
    console.log(`mailbox at ${MESSAGES} messages (+${NEIGHBOURS} of neighbours in the table):`, JSON.stringify(timings));
    await scratch?.drop();
  });

  it('searches in well under a second: a rare word, a common word, two words, a sender', async () => {
    for (const [name, query, atLeast] of [
      ['rare', 'zanzibar', 10],
      ['common', WORDS[42] as string, 50],
      ['in every message', 'report', 50],
      ['two words', pick(5, 2), 1],
      ['sender', 'sender123', 50],
    ] as const) {
      await searchMail(pool, OWNER, query, 50); // warm
      const { ms, result } = await timed(() => searchMail(pool, OWNER, query, 50));
      timings[`search ${name} ms`] = Math.round(ms);
      expect(result.length, name).toBeGreaterThanOrEqual(atLeast);
      expect(result.every((m) => m.toDisplay === OWNER)).toBe(true);
      expect(ms, name).toBeLessThan(1000);
    }
  });

  it('reads the newest page off the Mailbox index in order: 50 rows read of 100,000, no sort', async () => {
    const first = await listFolder(pool, OWNER, { folder: 1, limit: 50 });
    for (const before of [undefined, first.at(-1)?.cursor]) {
      const { sql, params } = folderPageQuery(mailTableName('jo'), OWNER, { folder: 1, limit: 50, before });
      // ANALYZE runs the statement and reports what it really read (r_rows), not an estimate.
      const [plan] = await pool.query<RowDataPacket[]>(`ANALYZE ${sql}`, params);
      expect(plan).toHaveLength(1);
      expect(plan[0]).toMatchObject({ key: 'Mailbox' });
      expect(String(plan[0]?.Extra)).not.toMatch(/filesort|temporary/i);
      expect(Number(plan[0]?.r_rows)).toBeLessThanOrEqual(50);
    }
  });

  it('lists the newest page, deep pages, unread counts, a thread, conversations and quota quickly', async () => {
    const first = await timed(() => listFolder(pool, OWNER, { folder: 1, limit: 50 }));
    const deep = await timed(() => listFolder(pool, OWNER, { folder: 1, limit: 50, before: first.result.at(-1)?.cursor }));
    const unread = await timed(() => unreadCounts(pool, OWNER));
    const thread = await timed(() => threadOf(pool, OWNER, first.result[0]!.id));
    const conversations = await timed(() => listConversations(pool, OWNER, { limit: 50, offset: 0 }));
    const usage = await timed(() => mailboxUsage(pool, OWNER));
    Object.assign(timings, {
      'first page ms': Math.round(first.ms),
      'second page ms': Math.round(deep.ms),
      'unread counts ms': Math.round(unread.ms),
      'thread ms': Math.round(thread.ms),
      'conversations ms': Math.round(conversations.ms),
      'quota ms': Math.round(usage.ms),
    });
    expect(first.result).toHaveLength(50);
    expect(deep.result[0]!.receivedAt.getTime()).toBeLessThan(first.result.at(-1)!.receivedAt.getTime());
    expect(unread.result.get(1)).toBeGreaterThan(5000);
    expect(thread.result.length).toBeGreaterThanOrEqual(1);
    expect(conversations.result).toHaveLength(50);
    for (const ms of [first.ms, deep.ms, unread.ms, thread.ms]) expect(ms).toBeLessThan(100);
    expect(conversations.ms).toBeLessThan(1000);
    expect(usage.ms).toBeLessThan(1000);
  });
});
