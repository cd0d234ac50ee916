import { AdminError, AdminService } from '@mailcluster/admin';
import type { AdminAccount, MailStore } from '@mailcluster/store';
import { WebError } from '../errors.ts';
import { LoginThrottle, type ThrottleSettings } from '../auth/login-throttle.ts';
import { dummyPasswordHash } from '../auth/sign-in.ts';

/**
 * Admin sign-in: an admin account (not a mail user) and its password, throttled like the
 * webmail's (per account and per IP, in db 0, shared by every pod), with the same answer and the
 * same work for an unknown name. Every attempt is in the audit log.
 */
export class AdminSignIn {
  readonly #store: MailStore;
  readonly #throttle: LoginThrottle;
  readonly #dummyHash: string;

  private constructor(store: MailStore, settings: ThrottleSettings, dummyHash: string) {
    this.#store = store;
    this.#throttle = new LoginThrottle(settings, 'admin');
    this.#dummyHash = dummyHash;
  }

  static async create(store: MailStore, settings: ThrottleSettings): Promise<AdminSignIn> {
    return new AdminSignIn(store, settings, await dummyPasswordHash());
  }

  async attempt(name: string, password: string, ip: string): Promise<AdminAccount> {
    const account = name.trim().toLowerCase().slice(0, 64);
    const directory = this.#store.directory;
    const audit = new AdminService(this.#store, { name: `admin:${account}`, role: 'viewer' });
    let hadFailures;
    try {
      hadFailures = await this.#throttle.check(directory, directory, account, ip);
    } catch (error) {
      if (error instanceof WebError && error.code === 'WEB_ERR_THROTTLED') throw new AdminError('ADMIN_ERR_THROTTLED', undefined, { retryAfter: error.retryAfter ?? 30 });
      throw error;
    }
    const found = await audit.admins.authenticate(account, password, this.#dummyHash);
    await audit.audit.record({ action: 'admin.sign-in', target: account, outcome: found === null ? 'ADMIN_ERR_BAD_CREDENTIALS' : 'ok', detail: { ip } });
    if (found === null) {
      await this.#throttle.fail(directory, directory, account, ip);
      throw new AdminError('ADMIN_ERR_BAD_CREDENTIALS');
    }
    if (hadFailures) await this.#throttle.succeed(directory, account);
    return found;
  }
}
