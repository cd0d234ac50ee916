import { createHash } from 'node:crypto';
import { type Pool, clearFailures, failureCount, recordFailure } from '@mailcluster/store';
import { WebError } from '../errors.ts';
import { accountLockSeconds, secondsLeft } from './throttle.ts';

export interface ThrottleSettings {
  accountFailures: number;
  ipFailures: number;
  windowSeconds: number;
}

/**
 * Failed sign-ins counted in the db, so every web pod throttles alike: per account on `accountDb`
 * (a mail user's home db, or db 0 for admins), per client IP on db 0. `kind` keeps mail users'
 * and admins' counts apart.
 */
export class LoginThrottle {
  readonly #settings: ThrottleSettings;
  readonly #kind: string;

  constructor(settings: ThrottleSettings, kind: 'user' | 'admin') {
    this.#settings = settings;
    this.#kind = kind;
  }

  #key(scope: 'account' | 'ip', value: string): Buffer {
    // Mail users' keys keep the form they had before admins existed (rows in flight stay valid).
    const prefix = this.#kind === 'user' ? scope : `${this.#kind}-${scope}`;
    return createHash('sha256').update(`${prefix}:${value}`).digest();
  }

  /** Throws WEB_ERR_THROTTLED (with Retry-After) when the account is locked or the IP is over its limit. */
  async check(directory: Pool, accountDb: Pool, account: string, ip: string): Promise<boolean> {
    const { windowSeconds } = this.#settings;
    const now = new Date();
    const [byIp, byAccount] = await Promise.all([failureCount(directory, this.#key('ip', ip), windowSeconds), failureCount(accountDb, this.#key('account', account), windowSeconds)]);
    if (byIp && byIp.failures >= this.#settings.ipFailures) {
      throw new WebError('WEB_ERR_THROTTLED', undefined, { retryAfter: secondsLeft(byIp.lastFailureAt, windowSeconds, now) });
    }
    const lock = byAccount ? secondsLeft(byAccount.lastFailureAt, accountLockSeconds(byAccount.failures, this.#settings.accountFailures), now) : 0;
    if (lock > 0) throw new WebError('WEB_ERR_THROTTLED', undefined, { retryAfter: lock });
    return byAccount !== null;
  }

  async fail(directory: Pool, accountDb: Pool, account: string, ip: string): Promise<void> {
    const { windowSeconds } = this.#settings;
    await Promise.all([recordFailure(accountDb, this.#key('account', account), windowSeconds), recordFailure(directory, this.#key('ip', ip), windowSeconds)]);
  }

  async succeed(accountDb: Pool, account: string): Promise<void> {
    await clearFailures(accountDb, this.#key('account', account));
  }
}
