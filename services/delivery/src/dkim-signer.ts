import { text } from 'node:stream/consumers';
import { ensureDkimKey } from '@mailcluster/admin';
import type { MailStore } from '@mailcluster/store';
import DKIM from 'nodemailer/lib/dkim';

/**
 * Signs outgoing mail with the DKIM key of the sender's domain (made on first use; its DNS record
 * comes from `mailctl domain dkim`). Keys are cached per domain for the life of the process.
 */
export class DkimSigner {
  readonly #store: MailStore;
  readonly #signers = new Map<string, Promise<DKIM>>();

  constructor(store: MailStore) {
    this.#store = store;
  }

  async sign(raw: Buffer, domain: string): Promise<Buffer> {
    let signer = this.#signers.get(domain);
    if (!signer) {
      signer = ensureDkimKey(this.#store, domain).then((key) => new DKIM({ domainName: key.domain, keySelector: key.selector, privateKey: key.privateKey }));
      signer.catch(() => this.#signers.delete(domain));
      this.#signers.set(domain, signer);
    }
    const signed = await text((await signer).sign(raw));
    return Buffer.from(signed, 'latin1');
  }
}

/**
 * The bytes we send: no NUL (nodemailer normalises bare CR and LF and dot-stuffs on the wire, but
 * lets NUL through), so a stored message can never smuggle anything into the remote's DATA.
 */
export function normalizeForRelay(raw: Buffer): Buffer {
  return raw.includes(0) ? Buffer.from(raw.filter((byte) => byte !== 0)) : raw;
}
