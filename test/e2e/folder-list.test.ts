import { randomBytes } from 'node:crypto';
import { mailTableName } from '@mailcluster/common';
import { type Pool, createFolder, listUserFolders, mailTableDdl, migrate, unreadCounts } from '@mailcluster/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScratchDb, scratchDb } from '../support/scratch-db.ts';

/** The folder list every page shows: the user's folders by name and the unread count per folder. */
describe('folders with unread counts', () => {
  let scratch: ScratchDb;
  let pool: Pool;
  const OWNER = 'fl.owner@folders.test';
  const NEIGHBOUR = 'fl.other@folders.test';

  beforeAll(async () => {
    scratch = await scratchDb('folders');
    pool = scratch.pool;
    await migrate(pool);
  });

  afterAll(async () => {
    await scratch?.drop();
  });

  it('lists the folders, ordered as the db orders names, before the user has any mail table', async () => {
    const zeta = await createFolder(pool, OWNER, 'Zeta');
    const alpha = await createFolder(pool, OWNER, 'alpha');
    const beta = await createFolder(pool, OWNER, 'Beta');
    await createFolder(pool, NEIGHBOUR, 'not mine');
    expect(await listUserFolders(pool, OWNER)).toEqual([alpha, beta, zeta]);
    expect(await unreadCounts(pool, OWNER)).toEqual(new Map());
  });

  it('counts unread mail per folder, of the user alone', async () => {
    await pool.query(mailTableDdl(mailTableName('fl')));
    const row = (to: string, folder: number, seen: number, n: number) =>
      [to, 'x@outside.test', Buffer.from(`Subject: ${n}\r\n\r\nbody`), folder, seen, `s${n}`, new Date(Date.UTC(2026, 0, 1, 0, n)), 30, randomBytes(32)];
    const rows = [row(OWNER, 1, 0, 1), row(OWNER, 1, 0, 2), row(OWNER, 1, 1, 3), row(OWNER, 100, 0, 4), row(NEIGHBOUR, 1, 0, 5), row(NEIGHBOUR, 2, 0, 6)];
    await pool.query(
      `INSERT INTO \`${mailTableName('fl')}\` (EmailTo, EmailFrom, EmailMessage, Folder, Seen, Subject, ReceivedAt, Size, DedupeKey, StoredAt)
       VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6))').join(', ')}`,
      rows.flat(),
    );
    expect((await listUserFolders(pool, OWNER)).map((f) => f.name)).toEqual(['alpha', 'Beta', 'Zeta']);
    expect(await unreadCounts(pool, OWNER)).toEqual(new Map([[1, 2], [100, 1]]));
  });
});
