import { randomBytes } from 'node:crypto';
import {
  MAX_USER_FOLDERS,
  type MailStore,
  type Pool,
  TooManyFoldersError,
  createFolder,
  findProfile,
  findSessionWithProfile,
  insertSession,
  insertUsers,
  listUserFolders,
  migrate,
  saveSettings,
} from '@mailcluster/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionService } from '../../services/web/src/auth/session-service.ts';
import { type ScratchDb, scratchDb } from '../support/scratch-db.ts';
import { openTestStore, uniqueDomain } from '../support/stack.ts';

/**
 * What every signed-in page shows of its user, read in one statement with the session
 * (UserProfile): the same name, quota, settings and folders as the separate reads would give.
 */
describe('the user profile read with the session', () => {
  let scratch: ScratchDb;
  let pool: Pool;
  const OWNER = 'up.owner@profile.test';
  const STRANGER = 'up.stranger@profile.test';
  const now = new Date();

  const session = async (address: string, expiresAt = new Date(now.getTime() + 3_600_000)) => {
    const id = randomBytes(32);
    await insertSession(pool, 'WebSessions', { id, address, csrfToken: 'c'.repeat(43), createdAt: now, lastSeenAt: now, expiresAt });
    return id;
  };

  beforeAll(async () => {
    scratch = await scratchDb('profile');
    pool = scratch.pool;
    await migrate(pool);
    await insertUsers(pool, [{ address: OWNER, passwordHash: 'x', displayName: 'Owner "O" Ünal', quotaBytes: 5_000_000, domain: 'profile.test' }]);
  });

  afterAll(async () => {
    await scratch?.drop();
  });

  it('gives the defaults and no folders to a new user, and null for no user', async () => {
    expect(await findProfile(pool, OWNER)).toEqual({ displayName: 'Owner "O" Ünal', quotaBytes: 5_000_000, usedBytes: 0, settings: { signature: '', pageSize: null }, folders: [] });
    expect(await findProfile(pool, STRANGER)).toBeNull();
  });

  it('lists the folders as listUserFolders orders them, whatever their names hold', async () => {
    for (const name of ['Zeta', 'alpha', 'quote " and \\ backslash', 'Émile', 'Beta', '日本語 📬', "it's"]) await createFolder(pool, OWNER, name);
    await createFolder(pool, STRANGER, 'not mine');
    await saveSettings(pool, OWNER, { signature: 'O.\n-- \nsig', pageSize: 25 });
    const profile = await findProfile(pool, OWNER);
    expect(profile?.folders).toEqual(await listUserFolders(pool, OWNER));
    expect(profile?.folders.map((f) => f.name)).toContain('quote " and \\ backslash');
    expect(profile?.settings).toEqual({ signature: 'O.\n-- \nsig', pageSize: 25 });
  });

  it('comes with a live session in the same statement, and equals the profile read alone', async () => {
    const found = await findSessionWithProfile(pool, await session(OWNER), now);
    expect(found?.session.address).toBe(OWNER);
    expect(found?.profile).toEqual(await findProfile(pool, OWNER));
  });

  it('is null beside a session whose user has no row on this db; an expired session is not found', async () => {
    const found = await findSessionWithProfile(pool, await session(STRANGER), now);
    expect(found?.session.address).toBe(STRANGER);
    expect(found?.profile).toBeNull();
    expect(await findSessionWithProfile(pool, await session(OWNER, new Date(now.getTime() - 1)), now)).toBeNull();
  });

  it(`caps a user at ${MAX_USER_FOLDERS} folders, and reads that many of the longest names whole`, async () => {
    const address = 'up.hoarder@profile.test';
    await insertUsers(pool, [{ address, passwordHash: 'x', domain: 'profile.test' }]);
    // The longest names in bytes: 100 four-byte characters each, with a number to keep them apart.
    const names = Array.from({ length: MAX_USER_FOLDERS - 1 }, (_, i) => `${String(i).padStart(4, '0')}${'📬'.repeat(96)}`);
    await pool.query('INSERT INTO Folders (Address, Id, Name) VALUES ?', [names.map((name, i) => [address, 100 + i, name])]);
    await createFolder(pool, address, `last${'📬'.repeat(96)}`);
    await expect(createFolder(pool, address, 'one too many')).rejects.toThrow(TooManyFoldersError);
    const profile = await findProfile(pool, address);
    expect(profile?.folders).toHaveLength(MAX_USER_FOLDERS);
    expect(profile?.folders).toEqual(await listUserFolders(pool, address));
  });
});

describe('the web session service and the profile', () => {
  let store: MailStore;

  beforeAll(async () => {
    store = await openTestStore();
  });

  afterAll(async () => {
    await store?.close();
  });

  const sessions = (home: number) => new SessionService(store, { idleMs: 3_600_000, maxMs: 7_200_000, table: 'WebSessions', dbOf: () => home });

  it('reads the profile beside the session while that is the user\'s home db, and from the home db once the user moved', async () => {
    const domain = uniqueDomain('profile');
    const address = `moved@${domain}`;
    // Signed in while db 0 was home; the shard map has since moved the user to db 1, and a stale
    // copy of the profile is still on db 0.
    await insertUsers(store.pool(0), [{ address, passwordHash: 'x', displayName: 'stale copy', domain }]);
    await insertUsers(store.pool(1), [{ address, passwordHash: 'x', displayName: 'at home', domain }]);
    const { cookie } = await sessions(0).create(address);
    expect(cookie.startsWith('0.')).toBe(true);
    expect((await sessions(0).resolve(cookie))?.profile?.displayName).toBe('stale copy');
    const moved = await sessions(1).resolve(cookie);
    expect(moved?.address).toBe(address);
    expect(moved?.profile?.displayName).toBe('at home');
  });
});
