import { hashPassword, needsRehash, verifyPassword } from '@mailcluster/admin';
import { type Logger, normalizeAddress } from '@mailcluster/common';
import { type MailStore, findUser, replacePasswordHash } from '@mailcluster/store';
import { WebError } from '../errors.ts';
import { LoginThrottle, type ThrottleSettings } from './login-throttle.ts';

export type SignInSettings = ThrottleSettings;

/**
 * Checks an address and password against the user's home db. An unknown address, a disabled user
 * and a wrong password give the same error after the same work (one argon2 verify, against a
 * dummy hash when there is no user). Failures are counted per account on its home db and per
 * client IP on db 0, so every web pod throttles alike.
 */
export class SignIn {
  readonly #store: MailStore;
  readonly #throttle: LoginThrottle;
  readonly #log: Logger;
  readonly #dummyHash: string;

  private constructor(store: MailStore, settings: SignInSettings, log: Logger, dummyHash: string) {
    this.#store = store;
    this.#throttle = new LoginThrottle(settings, 'user');
    this.#log = log;
    this.#dummyHash = dummyHash;
  }

  static async create(store: MailStore, settings: SignInSettings, log: Logger): Promise<SignIn> {
    return new SignIn(store, settings, log, await dummyPasswordHash());
  }

  /** The normalised address when the password is right; WebError otherwise. */
  async attempt(addressInput: string, password: string, ip: string): Promise<string> {
    const address = normalizeAddress(addressInput);
    const directory = this.#store.directory;
    const home = this.#store.homePool(address);
    const hadFailures = await this.#throttle.check(directory, home, address, ip);

    const user = await findUser(home, address);
    const hash = user?.passwordHash ?? this.#dummyHash;
    const matches = await verifyPassword(hash, password);
    if (!matches || user === null || user.disabled) {
      await this.#throttle.fail(directory, home, address, ip);
      throw new WebError('WEB_ERR_BAD_CREDENTIALS');
    }
    if (hadFailures) await this.#throttle.succeed(home, address);
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

/** A hash nobody's password matches: verified against when there is no such account, so both answers take the same time. */
export function dummyPasswordHash(): Promise<string> {
  return hashPassword('no user has this password: it only makes unknown users cost the same');
}
