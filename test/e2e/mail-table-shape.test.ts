import { randomBytes } from 'node:crypto';
import { mailTableName } from '@mailcluster/common';
import { type Pool, type RowDataPacket, SCHEMA_VERSION, mailTableDdl, migrate, upgradeMailTable } from '@mailcluster/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScratchDb, scratchDb } from '../support/scratch-db.ts';

const V1_OPTIONS = 'ENGINE=InnoDB ROW_FORMAT=DYNAMIC DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

/** The mail table as schema version 1 created it (issue 2): the starting point of the upgrade. */
const V1_DDL = (table: string) => `CREATE TABLE \`${table}\` (
  Id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, EmailTo VARCHAR(320) NOT NULL, EmailFrom VARCHAR(320) NOT NULL,
  EmailMessage LONGBLOB NOT NULL, Folder INT UNSIGNED NOT NULL DEFAULT 1, Seen TINYINT(1) NOT NULL DEFAULT 0,
  Flagged TINYINT(1) NOT NULL DEFAULT 0, Answered TINYINT(1) NOT NULL DEFAULT 0, Subject VARCHAR(998) NOT NULL DEFAULT '',
  FromName VARCHAR(320) NOT NULL DEFAULT '', FromAddress VARCHAR(320) NOT NULL DEFAULT '', ToDisplay VARCHAR(1000) NOT NULL DEFAULT '',
  SentAt DATETIME(3) NULL, ReceivedAt DATETIME(6) NOT NULL, StoredAt DATETIME(6) NOT NULL, Size INT UNSIGNED NOT NULL,
  Snippet VARCHAR(200) NOT NULL DEFAULT '', HasAttachments TINYINT(1) NOT NULL DEFAULT 0, Attachments JSON NULL,
  MessageId VARCHAR(998) NULL, InReplyTo VARCHAR(998) NULL, ReferenceIds TEXT NULL, BodyText MEDIUMTEXT NULL,
  DedupeKey BINARY(32) NOT NULL, PRIMARY KEY (Id), UNIQUE KEY Dedupe (DedupeKey), KEY Mailbox (EmailTo, Folder, ReceivedAt, Id)
) ${V1_OPTIONS}`;

async function shape(pool: Pool, table: string): Promise<{ columns: unknown[]; indexes: unknown[] }> {
  const [columns] = await pool.query<RowDataPacket[]>(
    `SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, GENERATION_EXPRESSION, COLLATION_NAME
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY COLUMN_NAME`,
    [table],
  );
  const [indexes] = await pool.query<RowDataPacket[]>(
    `SELECT INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, INDEX_TYPE
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    [table],
  );
  return { columns: columns.map((row) => ({ ...row })), indexes: indexes.map((row) => ({ ...row })) };
}

describe('mail table shape: the web tier migrations and mailTableDdl agree', () => {
  let scratch: ScratchDb;
  let pool: Pool;

  beforeAll(async () => {
    scratch = await scratchDb('shape');
    pool = scratch.pool;
  });

  afterAll(() => scratch?.drop());

  it('upgrades a version 1 table, with its rows, to what mailTableDdl creates', async () => {
    const oldTable = mailTableName('jo');
    const newTable = mailTableName('ab');
    // A db as issue 2 left it: migration 1 applied, one mail table with a message in it.
    await pool.query('CREATE TABLE SchemaMigrations (Version INT NOT NULL PRIMARY KEY, AppliedAt DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3))');
    // Users and Domains as version 1 made them: later migrations alter and recount them.
    await pool.query(`CREATE TABLE Users (Address VARCHAR(320) NOT NULL PRIMARY KEY, PasswordHash VARCHAR(255) NOT NULL,
      DisplayName VARCHAR(255) NOT NULL DEFAULT '', QuotaBytes BIGINT UNSIGNED NOT NULL DEFAULT 0, UsedBytes BIGINT UNSIGNED NOT NULL DEFAULT 0,
      Disabled TINYINT(1) NOT NULL DEFAULT 0, Domain VARCHAR(255) NOT NULL, KEY ByDomain (Domain, Address)) ${V1_OPTIONS}`);
    await pool.query(`CREATE TABLE Domains (Name VARCHAR(255) NOT NULL PRIMARY KEY, DefaultQuotaBytes BIGINT UNSIGNED NOT NULL DEFAULT 0) ${V1_OPTIONS}`);
    await pool.query("INSERT INTO Users (Address, PasswordHash, Domain) VALUES ('john@x.test', 'x', 'x.test')");
    await pool.query('INSERT INTO SchemaMigrations (Version) VALUES (1)');
    await pool.query(V1_DDL(oldTable));
    await pool.query(
      `INSERT INTO \`${oldTable}\` (EmailTo, EmailFrom, EmailMessage, Subject, ReceivedAt, StoredAt, Size, MessageId, DedupeKey)
       VALUES ('john@x.test', 'a@b.test', 'raw', 'Re: Plans', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), 3, '<m1@x>', ?)`,
      [randomBytes(32)],
    );

    await migrate(pool);
    await pool.query(mailTableDdl(newTable));

    const upgraded = await shape(pool, oldTable);
    const created = await shape(pool, newTable);
    expect(upgraded).toEqual(created);
    expect((created.indexes as { INDEX_NAME: string }[]).map((i) => i.INDEX_NAME)).toEqual(
      expect.arrayContaining(['Thread', 'Counts', 'Search', 'Recent', 'Mailbox', 'Dedupe', 'PRIMARY']),
    );
    // The existing row got its thread key (from its Message-ID) and is found by full-text search.
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT HEX(ThreadKey) AS k, MD5('<m1@x>') AS expected FROM \`${oldTable}\` WHERE MATCH (Subject, FromName, FromAddress, ToDisplay, BodyText) AGAINST ('+plans*' IN BOOLEAN MODE)`,
    );
    expect(rows).toHaveLength(1);
    expect(String(rows[0]?.k).toLowerCase()).toBe(String(rows[0]?.expected));
    // Running the upgrade again changes nothing.
    expect(await upgradeMailTable(pool, 'jo')).toBe(false);
    // Version 5 counted the quota use of existing mail once.
    const [users] = await pool.query<RowDataPacket[]>("SELECT UsedBytes FROM Users WHERE Address = 'john@x.test'");
    expect(Number(users[0]?.UsedBytes)).toBe(3);
    const [versions] = await pool.query<RowDataPacket[]>('SELECT Version FROM SchemaMigrations ORDER BY Version');
    expect(versions.map((v) => Number(v.Version))).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
  });
});
