import { createHash, randomBytes } from 'node:crypto';
import {
  type MailStore,
  type SessionTable,
  type UserProfile,
  type WebSession,
  deleteSession,
  deleteUserSessions,
  findProfile,
  findSession,
  findSessionWithProfile,
  insertSession,
  touchSession,
} from '@mailcluster/store';

/** The signed-in user of a request. */
export interface SessionContext {
  id: Buffer;
  /** The db that holds the session row (named in the cookie). */
  db: number;
  address: string;
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
  /**
   * What every mail page shows of the user, read with the session in one statement; from the home
   * db instead when the shard map moved the user since sign-in. Null for admins, and for a user
   * with no profile row.
   */
  profile: UserProfile | null;
}

export interface SessionSettings {
  idleMs: number;
  maxMs: number;
  /** Mail users' sessions and admins' sessions live in separate tables (and cookies). */
  table: SessionTable;
  /** The db a new session of this owner is stored on. */
  dbOf: (owner: string) => number;
}

/** Sliding the idle expiry costs a write, so it happens at most once a minute per session. */
const TOUCH_EVERY_MS = 60_000;
const COOKIE_VALUE = /^(\d{1,4})\.([A-Za-z0-9_-]{43})$/;

function sessionId(secret: Buffer): Buffer {
  return createHash('sha256').update(secret).digest();
}

/**
 * Sessions in the db, so every web pod knows them and ending one ends it everywhere. The cookie is
 * `<db>.<secret>`: the db that holds the row (the user's home db at sign-in) and 32 random bytes
 * whose sha256 is the row's key.
 */
export class SessionService {
  readonly #store: MailStore;
  readonly #settings: SessionSettings;
  readonly #now: () => Date;

  constructor(store: MailStore, settings: SessionSettings, now: () => Date = () => new Date()) {
    this.#store = store;
    this.#settings = settings;
    this.#now = now;
  }

  /** A new session with a new id and CSRF token; returns it and the cookie value. */
  async create(address: string): Promise<{ cookie: string; session: SessionContext }> {
    const secret = randomBytes(32);
    const db = this.#settings.dbOf(address);
    const now = this.#now();
    const row: WebSession = {
      id: sessionId(secret),
      address,
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: this.#expiry(now, now),
    };
    await insertSession(this.#store.pool(db), this.#settings.table, row);
    return { cookie: `${db}.${secret.toString('base64url')}`, session: { ...row, db, profile: null } };
  }

  /** The session a cookie value names, if it is well-formed, known and not expired. */
  async resolve(cookie: string): Promise<SessionContext | null> {
    const match = COOKIE_VALUE.exec(cookie);
    if (!match) return null;
    const db = Number(match[1]);
    if (db >= this.#store.pools.length) return null;
    const pool = this.#store.pool(db);
    const now = this.#now();
    const found = await this.#find(db, sessionId(Buffer.from(match[2] as string, 'base64url')), now);
    if (found === null) return null;
    const { session: row, profile } = found;
    if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
      await touchSession(pool, this.#settings.table, row.id, now, this.#expiry(row.createdAt, now));
    }
    return { id: row.id, db, address: row.address, csrfToken: row.csrfToken, createdAt: row.createdAt, lastSeenAt: row.lastSeenAt, profile };
  }

  /**
   * Every mail page shows the user's profile, so mail sessions bring it along in the same statement,
   * or, once the shard map has moved the user off the session's db, read it from the home db.
   */
  async #find(db: number, id: Buffer, now: Date): Promise<{ session: WebSession; profile: UserProfile | null } | null> {
    const pool = this.#store.pool(db);
    if (this.#settings.table !== 'WebSessions') {
      const session = await findSession(pool, this.#settings.table, id, now);
      return session === null ? null : { session, profile: null };
    }
    const found = await findSessionWithProfile(pool, id, now);
    if (found === null) return null;
    const home = this.#settings.dbOf(found.session.address);
    return home === db ? found : { session: found.session, profile: await findProfile(this.#store.pool(home), found.session.address) };
  }

  async end(session: SessionContext): Promise<void> {
    await deleteSession(this.#store.pool(session.db), this.#settings.table, session.id);
  }

  /** Ends every session of a user, on every db (sign-in may have put them on different dbs over time). */
  async endAll(address: string): Promise<number> {
    const counts = await Promise.all(this.#store.pools.map((pool) => deleteUserSessions(pool, this.#settings.table, address)));
    return counts.reduce((a, b) => a + b, 0);
  }

  #expiry(createdAt: Date, now: Date): Date {
    return new Date(Math.min(now.getTime() + this.#settings.idleMs, createdAt.getTime() + this.#settings.maxMs));
  }
}
