import { sessionTableDdl } from './sessions.ts';

/**
 * The web tier's tables (schema version 2), on every db like the rest. Rows of a user live on the
 * user's home db, next to the profile row and the mail; a session lives on the db named in its
 * cookie (see sessions.ts); IP throttling rows live on db 0. Table options are added by schema.ts.
 */
export const WEB_TABLES: readonly string[] = [
  sessionTableDdl('WebSessions'),
  `CREATE TABLE IF NOT EXISTS LoginThrottle (
  KeyHash BINARY(32) NOT NULL,
  Failures INT UNSIGNED NOT NULL,
  LastFailureAt DATETIME(3) NOT NULL,
  PRIMARY KEY (KeyHash),
  KEY ByLast (LastFailureAt)
)`,
  `CREATE TABLE IF NOT EXISTS Folders (
  Address VARCHAR(320) NOT NULL,
  Id INT UNSIGNED NOT NULL,
  Name VARCHAR(100) NOT NULL,
  PRIMARY KEY (Address, Id),
  UNIQUE KEY ByName (Address, Name)
)`,
  `CREATE TABLE IF NOT EXISTS Contacts (
  Owner VARCHAR(320) NOT NULL,
  Address VARCHAR(320) NOT NULL,
  Name VARCHAR(320) NOT NULL DEFAULT '',
  TimesUsed INT UNSIGNED NOT NULL DEFAULT 1,
  LastUsedAt DATETIME(3) NOT NULL,
  PRIMARY KEY (Owner, Address),
  KEY ByName (Owner, Name)
)`,
  `CREATE TABLE IF NOT EXISTS UserSettings (
  Address VARCHAR(320) NOT NULL,
  Signature TEXT NULL,
  PageSize SMALLINT UNSIGNED NULL,
  PRIMARY KEY (Address)
)`,
  `CREATE TABLE IF NOT EXISTS RemoteContentSenders (
  Address VARCHAR(320) NOT NULL,
  Sender VARCHAR(320) NOT NULL,
  PRIMARY KEY (Address, Sender)
)`,
];
