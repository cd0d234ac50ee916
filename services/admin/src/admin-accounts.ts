import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  type AdminAccount,
  type AdminRole,
  type AdminToken,
  type MailStore,
  deleteAdminAccount,
  deleteAdminToken,
  deleteUserSessions,
  findAdminAccount,
  findAdminToken,
  insertAdminAccount,
  insertAdminToken,
  listAdminAccounts,
  listAdminTokens,
  setAdminPasswordHash,
  touchAdminToken,
} from '@mailcluster/store';
import { type Actor, tokenActor } from './actor.ts';
import type { AuditLog } from './audit-log.ts';
import { AdminError } from './errors.ts';
import { isAdminName, parseAdminName } from './inputs.ts';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.ts';

/**
 * An API token is `mca_<id>_<secret>`: a fixed prefix (so secret scanners and people can tell what
 * it is), a public 12-hex id (listed, revoked, named in the audit log) and 32 random bytes. Only
 * sha256 of the secret is stored: the secret has 256 bits, so a fast hash is enough.
 */
const TOKEN_FORMAT = /^mca_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

function secretHash(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export interface NewToken {
  id: string;
  /** Shown once; never stored. */
  token: string;
}

const ROLES: readonly AdminRole[] = ['admin', 'viewer'];

export function parseRole(input: string): AdminRole {
  const role = ROLES.find((r) => r === input);
  if (role === undefined) throw new AdminError('ADMIN_ERR_BAD_REQUEST', `role must be one of ${ROLES.join(', ')}`);
  return role;
}

/** Admin accounts (not mail users), their passwords and their API tokens. */
export class AdminAccounts {
  readonly #store: MailStore;
  readonly #audit: AuditLog;

  constructor(store: MailStore, audit: AuditLog) {
    this.#store = store;
    this.#audit = audit;
  }

  create(nameInput: string, password: string, role: AdminRole): Promise<void> {
    return this.#audit.change('admin.create', nameInput, { role }, async () => {
      const name = parseAdminName(nameInput);
      const problem = passwordProblem(password, `${name}@admin`);
      if (problem !== undefined) throw new AdminError('ADMIN_ERR_WEAK_PASSWORD', problem);
      const created = await insertAdminAccount(this.#store.directory, { name, role, passwordHash: await hashPassword(password) });
      if (!created) throw new AdminError('ADMIN_ERR_DUPLICATE_ADMIN', name);
    });
  }

  list(): Promise<Omit<AdminAccount, 'passwordHash'>[]> {
    return listAdminAccounts(this.#store.directory);
  }

  remove(nameInput: string): Promise<void> {
    return this.#audit.change('admin.delete', nameInput, null, async () => {
      if (!(await deleteAdminAccount(this.#store.directory, parseAdminName(nameInput)))) throw new AdminError('ADMIN_ERR_UNKNOWN_ADMIN', nameInput);
    });
  }

  /** A new password; every session of that admin ends. */
  setPassword(nameInput: string, password: string): Promise<void> {
    return this.#audit.change('admin.reset-password', nameInput, null, async () => {
      const name = parseAdminName(nameInput);
      const problem = passwordProblem(password, `${name}@admin`);
      if (problem !== undefined) throw new AdminError('ADMIN_ERR_WEAK_PASSWORD', problem);
      if (!(await setAdminPasswordHash(this.#store.directory, name, await hashPassword(password)))) throw new AdminError('ADMIN_ERR_UNKNOWN_ADMIN', name);
      await deleteUserSessions(this.#store.directory, 'AdminSessions', name);
    });
  }

  /** The account when the password is right, else null; an unknown name costs the same verify. */
  async authenticate(nameInput: string, password: string, dummyHash: string): Promise<AdminAccount | null> {
    const name = isAdminName(nameInput) ? parseAdminName(nameInput) : null;
    const account = name === null ? null : await findAdminAccount(this.#store.directory, name);
    const valid = await verifyPassword(account?.passwordHash ?? dummyHash, password);
    return valid && account !== null ? account : null;
  }

  /** A token for `account`, with at most the account's role, optionally expiring. */
  createToken(accountInput: string, options: { role?: AdminRole | undefined; label?: string | undefined; expiresInDays?: number | undefined }): Promise<NewToken> {
    return this.#audit.change('token.create', accountInput, { role: options.role ?? null, label: options.label ?? '', expiresInDays: options.expiresInDays ?? null }, async () => {
      const account = await findAdminAccount(this.#store.directory, parseAdminName(accountInput));
      if (account === null) throw new AdminError('ADMIN_ERR_UNKNOWN_ADMIN', accountInput);
      const role = account.role === 'viewer' ? 'viewer' : (options.role ?? 'admin');
      const id = randomBytes(6).toString('hex');
      const secret = randomBytes(32).toString('base64url');
      const expiresAt = options.expiresInDays === undefined ? null : new Date(Date.now() + options.expiresInDays * 86_400_000);
      await insertAdminToken(this.#store.directory, { id, secretHash: secretHash(secret), account: account.name, role, label: (options.label ?? '').slice(0, 100), expiresAt });
      return { id, token: `mca_${id}_${secret}` };
    });
  }

  listTokens(account?: string): Promise<Omit<AdminToken, 'secretHash'>[]> {
    return listAdminTokens(this.#store.directory, account === undefined ? undefined : parseAdminName(account)).then((tokens) =>
      tokens.map(({ secretHash: _hidden, ...token }) => token),
    );
  }

  revokeToken(id: string): Promise<void> {
    return this.#audit.change('token.revoke', id, null, async () => {
      if (!/^[0-9a-f]{12}$/.test(id) || !(await deleteAdminToken(this.#store.directory, id))) throw new AdminError('ADMIN_ERR_UNKNOWN_TOKEN', id);
    });
  }

  /** Who a presented token acts as, or null (malformed, unknown, wrong secret, expired, its account gone). */
  async verifyToken(token: string): Promise<Actor | null> {
    const match = TOKEN_FORMAT.exec(token);
    if (!match) return null;
    const [, id = '', secret = ''] = match;
    const row = await findAdminToken(this.#store.directory, id);
    if (row === null || !timingSafeEqual(row.secretHash, secretHash(secret))) return null;
    if (row.expiresAt !== null && row.expiresAt.getTime() <= Date.now()) return null;
    const account = await findAdminAccount(this.#store.directory, row.account);
    if (account === null) return null;
    await touchAdminToken(this.#store.directory, id);
    // A token never acts with more than its account has now.
    return tokenActor(id, account.name, account.role === 'viewer' ? 'viewer' : row.role);
  }
}
