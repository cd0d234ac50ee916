import { createHash } from 'node:crypto';
import { hashPassword, needsRehash, verifyPassword } from '@mailcluster/admin';
import { type Logger, normalizeAddress } from '@mailcluster/common';
import { type MailStore, clearFailures, failureCount, findUser, recordFailure, replacePasswordHash } from '@mailcluster/store';
import { WebError } from '../errors.ts';
import { accountLockSeconds, secondsLeft } from './throttle.ts';

export interface SignInSettings {
  accountFailures: number;
  ipFailures: number;
  windowSeconds: number;
}

function throttleKey(kind: 'account' | 'ip', value: string): Buffer {
  return createHash('sha256').update(`${kind}:${value}`).digest();
}

/**
 * Checks an address and password against the user's home db. An unknown address, a disabled user
 * and a wrong password give the same error after the same work (one argon2 verify, against a
 * dummy hash when there is no user). Failures are counted per account on its home db and per
 * client IP on db 0, so every web pod throttles alike.
 */
export class SignIn {
  readonly #store: MailStore;
  readonly #settings: SignInSettings;
  readonly #log: Logger;
  readonly #dummyHash: string;

  private constructor(store: MailStore, settings: SignInSettings, log: Logger, dummyHash: string) {
    this.#store = store;
    this.#settings = settings;
    this.#log = log;
    this.#dummyHash = dummyHash;
  }

  static async create(store: MailStore, settings: SignInSettings, log: Logger): Promise<SignIn> {
    return new SignIn(store, settings, log, await hashPassword('no user has this password: it only makes unknown users cost the same'));
  }

  /** The normalised address when the password is right; WebError otherwise. */
  async attempt(addressInput: string, password: string, ip: string): Promise<string> {
    const address = normalizeAddress(addressInput);
    const { windowSeconds } = this.#settings;
    const now = new Date();
    const directory = this.#store.directory;
    const home = this.#store.homePool(address);
    const accountKey = throttleKey('account', address);
    const ipKey = throttleKey('ip', ip);

    const [byIp, byAccount] = await Promise.all([failureCount(directory, ipKey, windowSeconds), failureCount(home, accountKey, windowSeconds)]);
    if (byIp && byIp.failures >= this.#settings.ipFailures) {
      throw new WebError('WEB_ERR_THROTTLED', undefined, { retryAfter: secondsLeft(byIp.lastFailureAt, windowSeconds, now) });
    }
    const lock = byAccount ? secondsLeft(byAccount.lastFailureAt, accountLockSeconds(byAccount.failures, this.#settings.accountFailures), now) : 0;
    if (lock > 0) throw new WebError('WEB_ERR_THROTTLED', undefined, { retryAfter: lock });

    const user = await findUser(home, address);
    const hash = user?.passwordHash ?? this.#dummyHash;
    const matches = await verifyPassword(hash, password);
    if (!matches || user === null || user.disabled) {
      await Promise.all([recordFailure(home, accountKey, windowSeconds), recordFailure(directory, ipKey, windowSeconds)]);
      throw new WebError('WEB_ERR_BAD_CREDENTIALS');
    }
    if (byAccount) await clearFailures(home, accountKey);
    if (needsRehash(hash)) {
      // Parameters went up since this hash was made: store it again with today's.
      const upgraded = await replacePasswordHash(home, address, hash, await hashPassword(password));
      this.#log.info({ address, upgraded }, 'password rehashed with current parameters');
    }
    return address;
  }

  /** Whether `password` is the user's current one (for a password change), without throttling. */
  async verifyCurrent(address: string, password: string): Promise<string | null> {
    const user = await findUser(this.#store.homePool(address), address);
    if (user === null) return null;
    return (await verifyPassword(user.passwordHash, password)) ? user.passwordHash : null;
  }
}
