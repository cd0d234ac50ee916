import { ALL_PREFIXES, mailTableName } from '@mailcluster/common';
import { ADMIN_ALTERS, ADMIN_TABLES } from './admin-tables.ts';
import { mailTableV2Lines, upgradeMailTable } from './mail-table-shape.ts';
import { recountAllUsage } from './mail-usage.ts';
import type { Pool, PoolConnection, RowDataPacket } from './pools.ts';
import { WEB_TABLES } from './web-tables.ts';

/**
 * The schema of one db (one shard). Every db has the same tables: the profile rows of the users
 * whose prefix it holds, their folders, and one mail table per prefix, created on first use.
 * `Domains` is read from db 0 only (the cluster's directory) but exists everywhere so every db is
 * built by the same migrations.
 */

/** System folders; user folders get ids from the Folders table, starting at 100. */
export const FOLDERS = { inbox: 1, sent: 2, drafts: 3, trash: 4, junk: 5 } as const;

const TABLE_OPTIONS = 'ENGINE=InnoDB ROW_FORMAT=DYNAMIC DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

/**
 * A mail table. The seed's columns (`EmailTo`, `EmailFrom`, `EmailMessage`) hold the recipient, the
 * envelope sender and the raw RFC 5322 bytes; the rest is what lists, threads and search read
 * without parsing the message again. The `Mailbox` index serves "newest N of one folder" by a
 * range scan, never a sort of the whole mailbox.
 */
export function mailTableDdl(table: string): string {
  return `CREATE TABLE IF NOT EXISTS \`${table}\` (
  Id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  EmailTo VARCHAR(320) NOT NULL,
  EmailFrom VARCHAR(320) NOT NULL,
  EmailMessage LONGBLOB NOT NULL,
  Folder INT UNSIGNED NOT NULL DEFAULT ${FOLDERS.inbox},
  Seen TINYINT(1) NOT NULL DEFAULT 0,
  Flagged TINYINT(1) NOT NULL DEFAULT 0,
  Answered TINYINT(1) NOT NULL DEFAULT 0,
  Subject VARCHAR(998) NOT NULL DEFAULT '',
  FromName VARCHAR(320) NOT NULL DEFAULT '',
  FromAddress VARCHAR(320) NOT NULL DEFAULT '',
  ToDisplay VARCHAR(1000) NOT NULL DEFAULT '',
  SentAt DATETIME(3) NULL,
  ReceivedAt DATETIME(6) NOT NULL,
  StoredAt DATETIME(6) NOT NULL,
  Size INT UNSIGNED NOT NULL,
  Snippet VARCHAR(200) NOT NULL DEFAULT '',
  HasAttachments TINYINT(1) NOT NULL DEFAULT 0,
  Attachments JSON NULL,
  MessageId VARCHAR(998) NULL,
  InReplyTo VARCHAR(998) NULL,
  ReferenceIds TEXT NULL,
  BodyText MEDIUMTEXT NULL,
  DedupeKey BINARY(32) NOT NULL,
  PRIMARY KEY (Id),
  UNIQUE KEY Dedupe (DedupeKey),
  KEY Mailbox (EmailTo, Folder, ReceivedAt, Id),
  ${mailTableV2Lines().join(',\n  ')}
) ${TABLE_OPTIONS}`;
}

/**
 * Migrations of the per-db tables, applied in order, each once (recorded in SchemaMigrations).
 * `run` is for what plain statements cannot say, such as changing every existing mail table.
 */
const MIGRATIONS: readonly { version: number; statements: readonly string[]; run?: (conn: PoolConnection) => Promise<void> }[] = [
  {
    version: 1,
    statements: [
      `CREATE TABLE IF NOT EXISTS Users (
  Address VARCHAR(320) NOT NULL,
  PasswordHash VARCHAR(255) NOT NULL,
  DisplayName VARCHAR(255) NOT NULL DEFAULT '',
  QuotaBytes BIGINT UNSIGNED NOT NULL DEFAULT 0,
  UsedBytes BIGINT UNSIGNED NOT NULL DEFAULT 0,
  Disabled TINYINT(1) NOT NULL DEFAULT 0,
  Domain VARCHAR(255) NOT NULL,
  CreatedAt DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
  UpdatedAt DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
  PRIMARY KEY (Address),
  KEY ByDomain (Domain, Address)
) ${TABLE_OPTIONS}`,
      `CREATE TABLE IF NOT EXISTS Domains (
  Name VARCHAR(255) NOT NULL,
  DefaultQuotaBytes BIGINT UNSIGNED NOT NULL DEFAULT 0,
  CreatedAt DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
  PRIMARY KEY (Name)
) ${TABLE_OPTIONS}`,
    ],
  },
  {
    // The web tier (issue 5): its tables, and threads, counts and search on every mail table.
    version: 2,
    statements: WEB_TABLES.map((ddl) => `${ddl} ${TABLE_OPTIONS}`),
    run: upgradeAllMailTables,
  },
  {
    // The Recent index, for search's newest-first fallback (ADR 0007).
    version: 3,
    statements: [],
    run: upgradeAllMailTables,
  },
  {
    // Outbound mail (issue 6): the DKIM key of each hosted domain, read from db 0.
    version: 4,
    statements: [
      `CREATE TABLE IF NOT EXISTS DkimKeys (
  Domain VARCHAR(255) NOT NULL,
  Selector VARCHAR(63) NOT NULL,
  PrivateKey TEXT NOT NULL,
  CreatedAt DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
  PRIMARY KEY (Domain)
) ${TABLE_OPTIONS}`,
    ],
  },
  {
    // Administration (issue 8): forwarding, catch-all, aliases, admin accounts, tokens, sessions,
    // the audit log; UsedBytes starts to be kept by the writers, so it is counted once here.
    version: 5,
    statements: [...ADMIN_ALTERS, ...ADMIN_TABLES.map((ddl) => `${ddl} ${TABLE_OPTIONS}`)],
    run: (conn) => recountAllUsage(conn),
  },
];

async function upgradeAllMailTables(conn: PoolConnection): Promise<void> {
  for (const prefix of await existingMailPrefixes(conn)) await upgradeMailTable(conn, prefix);
}

export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

const LOCK_NAME = 'mailcluster.schema';
const LOCK_TIMEOUT_S = 60;

/**
 * Brings one db to the current schema. Services call it at start-up; a named lock makes
 * concurrent starts wait for each other instead of racing the same DDL.
 */
export async function migrate(pool: Pool): Promise<void> {
  const conn = await pool.getConnection();
  try {
    const [locked] = await conn.query<RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS ok', [LOCK_NAME, LOCK_TIMEOUT_S]);
    if (locked[0]?.ok !== 1) throw new Error(`could not take the schema lock within ${LOCK_TIMEOUT_S} s`);
    try {
      await conn.query(
        `CREATE TABLE IF NOT EXISTS SchemaMigrations (Version INT NOT NULL PRIMARY KEY, AppliedAt DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3)) ${TABLE_OPTIONS}`,
      );
      const [rows] = await conn.query<RowDataPacket[]>('SELECT Version FROM SchemaMigrations');
      const applied = new Set(rows.map((row) => Number(row.Version)));
      for (const migration of MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        for (const statement of migration.statements) await conn.query(statement);
        await migration.run?.(conn);
        await conn.query('INSERT INTO SchemaMigrations (Version) VALUES (?)', [migration.version]);
      }
    } finally {
      await conn.query('SELECT RELEASE_LOCK(?)', [LOCK_NAME]);
    }
  } finally {
    conn.release();
  }
}

/** The mail tables that exist on a db, as prefixes. */
export async function existingMailPrefixes(pool: Pool | PoolConnection): Promise<Set<string>> {
  const [rows] = await pool.query<RowDataPacket[]>(
    "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'EmailDatabase\\_%'",
  );
  const known = new Set(ALL_PREFIXES.map((prefix) => mailTableName(prefix)));
  return new Set(rows.map((row) => String(row.name)).filter((name) => known.has(name)).map((name) => name.slice('EmailDatabase_'.length)));
}
