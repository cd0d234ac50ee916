import { sessionTableDdl } from './sessions.ts';

/**
 * Administration (schema version 5, issue 8). Forwarding and the catch-all are columns of the rows
 * ingest already reads for every recipient (Users on the home db, Domains on db 0), so resolving
 * them costs no extra query. Aliases live on the home db of the alias address, spread like users.
 * Admin accounts, their tokens and sessions, and the audit log are cluster-wide: db 0, like Domains.
 * Table options are added by schema.ts.
 */
export const ADMIN_ALTERS: readonly string[] = [
  `ALTER TABLE Users
  ADD COLUMN IF NOT EXISTS ForwardTo VARCHAR(3300) NULL,
  ADD COLUMN IF NOT EXISTS KeepForwardedCopy TINYINT(1) NOT NULL DEFAULT 1,
  ADD KEY IF NOT EXISTS ByName (DisplayName(64))`,
  'ALTER TABLE Domains ADD COLUMN IF NOT EXISTS CatchAll VARCHAR(320) NULL',
];

export const ADMIN_TABLES: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS Aliases (
  Address VARCHAR(320) NOT NULL,
  Target VARCHAR(320) NOT NULL,
  Domain VARCHAR(255) NOT NULL,
  CreatedAt DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
  PRIMARY KEY (Address, Target),
  KEY ByDomain (Domain, Address),
  KEY ByTarget (Target)
)`,
  `CREATE TABLE IF NOT EXISTS AdminAccounts (
  Name VARCHAR(64) NOT NULL,
  PasswordHash VARCHAR(255) NOT NULL,
  Role VARCHAR(16) NOT NULL,
  CreatedAt DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
  PRIMARY KEY (Name)
)`,
  `CREATE TABLE IF NOT EXISTS AdminTokens (
  Id CHAR(12) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  SecretHash BINARY(32) NOT NULL,
  Account VARCHAR(64) NOT NULL,
  Role VARCHAR(16) NOT NULL,
  Label VARCHAR(100) NOT NULL DEFAULT '',
  CreatedAt DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
  ExpiresAt DATETIME(3) NULL,
  LastUsedAt DATETIME(3) NULL,
  PRIMARY KEY (Id),
  KEY ByAccount (Account)
)`,
  sessionTableDdl('AdminSessions'),
  `CREATE TABLE IF NOT EXISTS AdminAudit (
  Id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  At DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
  Actor VARCHAR(200) NOT NULL,
  Action VARCHAR(64) NOT NULL,
  Target VARCHAR(320) NOT NULL DEFAULT '',
  Outcome VARCHAR(64) NOT NULL,
  Detail VARCHAR(2000) NULL,
  PRIMARY KEY (Id),
  KEY ByTarget (Target, Id),
  KEY ByActor (Actor, Id),
  KEY ByAction (Action, Id)
)`,
];
