import addressparser from 'nodemailer/lib/addressparser';
import { WebError } from '../errors.ts';
import type { Mailbox } from './message-reader.ts';

/**
 * Recipient fields as people type them (`Ann <ann@x.org>, bob@y.org`), checked strictly before
 * anything reaches nodemailer: an address is a dot-atom at an ASCII domain, with no room for a
 * line break, a second address or a command; names lose control characters.
 */
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const ADDRESS = new RegExp(`^${ATOM}(\\.${ATOM})*@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$`);

export function isValidAddress(address: string): boolean {
  return address.length <= 254 && ADDRESS.test(address);
}

/** Header text (a subject, a display name) on one line: controls, CR, LF and NUL become spaces. */
export function headerText(text: string, max = 998): string {
  return text.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').replace(/\s+/g, ' ').trim().slice(0, max);
}

/** Parses one recipient field; WEB_ERR_BAD_ADDRESS names the first entry that is not an address. */
export function parseRecipients(field: string): Mailbox[] {
  if (field.trim() === '') return [];
  if (/[\r\n\0]/.test(field)) throw new WebError('WEB_ERR_BAD_ADDRESS', 'Line breaks are not allowed in addresses.');
  const entries = addressparser(field, { flatten: true });
  return entries.map((entry) => {
    const address = entry.address.trim();
    if (!isValidAddress(address)) throw new WebError('WEB_ERR_BAD_ADDRESS', `"${headerText(entry.address || entry.name, 100)}" is not an address.`);
    return { name: headerText(entry.name, 200), address: address.toLowerCase() };
  });
}

export function formatRecipients(list: readonly Mailbox[]): string {
  return list.map((m) => (m.name ? `${m.name} <${m.address}>` : m.address)).join(', ');
}
