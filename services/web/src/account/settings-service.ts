import { hashPassword, passwordProblem } from '@mailcluster/admin';
import { type MailStore, type UserProfile, replacePasswordHash, saveSettings, setDisplayName } from '@mailcluster/store';
import type { SessionService } from '../auth/session-service.ts';
import type { SignIn } from '../auth/sign-in.ts';
import { WebError } from '../errors.ts';
import { headerText } from '../mail/addresses.ts';

export interface AccountSettings {
  address: string;
  displayName: string;
  signature: string;
  pageSize: number;
}

export const PAGE_SIZES = [25, 50, 100, 200] as const;

/** Display name, signature, page size and password of the signed-in user. */
export class SettingsService {
  readonly #store: MailStore;
  readonly #sessions: SessionService;
  readonly #signIn: SignIn;
  readonly #defaultPageSize: number;

  constructor(deps: { store: MailStore; sessions: SessionService; signIn: SignIn; defaultPageSize: number }) {
    this.#store = deps.store;
    this.#sessions = deps.sessions;
    this.#signIn = deps.signIn;
    this.#defaultPageSize = deps.defaultPageSize;
  }

  /** The settings as pages and the API show them (no profile: the defaults). */
  account(address: string, profile: UserProfile | null): AccountSettings {
    return {
      address,
      displayName: profile?.displayName ?? '',
      signature: profile?.settings.signature ?? '',
      pageSize: profile?.settings.pageSize ?? this.#defaultPageSize,
    };
  }

  async update(address: string, changes: { displayName: string; signature: string; pageSize: number }): Promise<void> {
    if (!(PAGE_SIZES as readonly number[]).includes(changes.pageSize)) throw new WebError('WEB_ERR_BAD_REQUEST', `Messages per page: one of ${PAGE_SIZES.join(', ')}.`);
    if (changes.signature.length > 2000) throw new WebError('WEB_ERR_BAD_REQUEST', 'The signature may have at most 2,000 characters.');
    const pool = this.#store.homePool(address);
    await setDisplayName(pool, address, headerText(changes.displayName, 200));
    await saveSettings(pool, address, { signature: changes.signature.replace(/\r\n/g, '\n').replace(/\0/g, ''), pageSize: changes.pageSize });
  }

  /**
   * Changes the password and ends every session of the user, on every pod and db; returns a new
   * session for the one who made the change (the session id changes with the privilege).
   */
  async changePassword(address: string, current: string, next: string, confirm: string): Promise<{ cookie: string }> {
    const hash = await this.#signIn.verifyCurrent(address, current);
    if (hash === null) throw new WebError('WEB_ERR_BAD_CREDENTIALS', 'The current password is not right.');
    if (next !== confirm) throw new WebError('WEB_ERR_WEAK_PASSWORD', 'The two new passwords differ.');
    const problem = passwordProblem(next, address);
    if (problem !== undefined) throw new WebError('WEB_ERR_WEAK_PASSWORD', `${problem[0]?.toUpperCase()}${problem.slice(1)}.`);
    const changed = await replacePasswordHash(this.#store.homePool(address), address, hash, await hashPassword(next));
    if (!changed) throw new WebError('WEB_ERR_BAD_REQUEST', 'The password was changed meanwhile; try again.');
    await this.#sessions.endAll(address);
    const { cookie } = await this.#sessions.create(address);
    return { cookie };
  }
}
