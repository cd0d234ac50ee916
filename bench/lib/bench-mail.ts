import { createHash } from 'node:crypto';
import { FOLDERS, type NewMessageRow } from '@mailcluster/store';
import { REPORT_CONTENT_TYPE, reportParts } from './messages.ts';

/**
 * Mailboxes and mail for the storage and web benchmarks, generated from a seeded random source:
 * addresses whose first two letters are as skewed as real local parts (names, role accounts, a
 * tail of odd ones), and messages with a varied vocabulary (the full-text index sees real work),
 * stored through the store's own insert path as rows the writer would make.
 */

const FIRST = [
  'james', 'mary', 'john', 'patricia', 'robert', 'jennifer', 'michael', 'linda', 'william', 'elizabeth', 'david', 'barbara',
  'richard', 'susan', 'joseph', 'jessica', 'thomas', 'sarah', 'charles', 'karen', 'daniel', 'nancy', 'matthew', 'betty',
  'anthony', 'margaret', 'mark', 'sandra', 'donald', 'ashley', 'steven', 'kim', 'paul', 'emily', 'andrew', 'donna', 'olga',
  'yusuf', 'zoe', 'quentin', 'xavier', 'ingrid', 'uwe', 'vera', 'hans', 'fatima', 'ali', 'chen', 'wei', 'priya', 'raj', 'sven',
  'erik', 'anna', 'lars', 'nina', 'giulia', 'mateo', 'lucia', 'kenji', 'yuki', 'ola', 'femi', 'amara', 'bjorn', 'dmitri',
];
const LAST = [
  'smith', 'johnson', 'williams', 'brown', 'jones', 'garcia', 'miller', 'davis', 'rodriguez', 'martinez', 'hernandez', 'lopez',
  'gonzalez', 'wilson', 'anderson', 'taylor', 'moore', 'jackson', 'martin', 'lee', 'perez', 'thompson', 'white', 'harris',
  'schmidt', 'muller', 'rossi', 'dubois', 'novak', 'kowalski', 'nakamura', 'okafor', 'ivanova', 'haddad', 'quispe', 'zhou',
];
/** The biggest mailboxes of a domain are role accounts (Zipf rank 1, 2, …). */
const ROLES = ['info', 'noreply', 'support', 'admin', 'sales', 'billing', 'newsletter', 'jobs', 'contact', 'office'];
const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

function pick<T>(list: readonly T[], random: () => number): T {
  return list[Math.floor(random() * list.length)] as T;
}

/**
 * `count` distinct addresses at `domain`; index 0 is the biggest mailbox of a Zipf mix. Local parts
 * are names (first.last, initial+last), role accounts first, and a fifth odd ones (digits, random
 * letters), so prefixes cover most of the 1,369 tables with a heavy skew, as real mail does.
 */
export function benchAddresses(count: number, domain: string, random: () => number): string[] {
  return Array.from({ length: count }, (_, i) => {
    if (i < ROLES.length) return `${ROLES[i]}@${domain}`;
    const kind = random();
    const local =
      kind < 0.5 ? `${pick(FIRST, random)}.${pick(LAST, random)}`
      : kind < 0.8 ? `${pick(FIRST, random).charAt(0)}${pick(LAST, random)}`
      : `${pick([...ALNUM], random)}${pick([...ALNUM], random)}${Math.floor(random() * 1e6)}`;
    return `${local}.${i}@${domain}`;
  });
}

/** A few thousand made-up words, so subjects and bodies have the spread of real text. */
function vocabulary(random: () => number): string[] {
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'to', 'vi', 'der', 'est', 'ion', 'pre', 'con', 'and', 'ber', 'tal', 'gor', 'fin'];
  return Array.from({ length: 4000 }, () => Array.from({ length: 2 + Math.floor(random() * 3) }, () => pick(syllables, random)).join(''));
}

export interface BenchMessageOptions {
  to: string;
  receivedAt: Date;
  folder?: number;
  seen?: boolean;
  /** Approximate bytes of body text. */
  textBytes: number;
  /** Also an HTML alternative and a base64 attachment of this many bytes (a typical client's mail). */
  attachmentBytes?: number | undefined;
  /** Names the copy in its dedupe key instead of the generator's counter: the same key is the same row, so a refill stores nothing twice. */
  key?: string;
}

/**
 * Makes NewMessageRows, each with raw RFC 5322 bytes that match its columns (the web tier parses
 * the raw message when one is opened). `key` makes every dedupe key of a generator distinct from
 * other runs' and other generators'.
 */
export class BenchMail {
  readonly #random: () => number;
  readonly #words: string[];
  readonly #key: string;
  #seq = 0;

  constructor(random: () => number, key: string) {
    this.#random = random;
    this.#words = vocabulary(random);
    this.#key = key;
  }

  #text(bytes: number): string {
    const words: string[] = [];
    let length = 0;
    while (length < bytes) {
      const word = pick(this.#words, this.#random);
      words.push(word);
      length += word.length + 1;
    }
    return (words.join(' ').match(/.{1,72}(\s|$)/g) ?? []).map((line) => line.trimEnd()).join('\n');
  }

  row(options: BenchMessageOptions): NewMessageRow {
    const seq = this.#seq++;
    const fromName = `${pick(FIRST, this.#random)} ${pick(LAST, this.#random)}`;
    const fromAddress = `${fromName.replace(' ', '.')}@sender${seq % 97}.example`;
    const subject = this.#text(40).replace(/\n/g, ' ');
    const text = this.#text(options.textBytes);
    const messageId = `<${this.#key}.${seq}@sender.example>`;
    const attachments = options.attachmentBytes === undefined ? [] : [{ filename: 'report.pdf', contentType: 'application/pdf', size: options.attachmentBytes }];
    const raw = Buffer.from(rawMessage({ fromName, fromAddress, to: options.to, subject, date: options.receivedAt, messageId, text, attachmentBytes: options.attachmentBytes }).replace(/\n/g, '\r\n'));
    return {
      emailTo: options.to,
      emailFrom: fromAddress,
      raw,
      folder: options.folder ?? FOLDERS.inbox,
      seen: options.seen ?? false,
      subject,
      fromName,
      fromAddress,
      toDisplay: options.to,
      sentAt: options.receivedAt,
      receivedAt: options.receivedAt,
      size: raw.length,
      snippet: text.slice(0, 200).replace(/\n/g, ' '),
      attachments,
      messageId,
      inReplyTo: null,
      referenceIds: [],
      bodyText: text,
      dedupeKey: createHash('sha256').update(`${this.#key}:${options.to}:${options.key ?? seq}`).digest(),
    };
  }
}

function rawMessage(m: { fromName: string; fromAddress: string; to: string; subject: string; date: Date; messageId: string; text: string; attachmentBytes?: number | undefined }): string {
  const headers = [`From: ${m.fromName} <${m.fromAddress}>`, `To: <${m.to}>`, `Subject: ${m.subject}`, `Date: ${m.date.toUTCString()}`, `Message-ID: ${m.messageId}`, 'MIME-Version: 1.0'];
  if (m.attachmentBytes === undefined) return [...headers, 'Content-Type: text/plain; charset=utf-8', '', m.text, ''].join('\n');
  const paragraphs = m.text.split('\n').map((line, i) => `<p>${line}${i % 5 === 0 ? ` <a href="https://example.com/r/${i}">more</a> <img src="https://tracker.example/${i}.png" alt="">` : ''}</p>`);
  const attachment = Buffer.alloc(m.attachmentBytes, m.messageId).toString('base64').match(/.{1,76}/g)?.join('\n') ?? '';
  return [...headers, REPORT_CONTENT_TYPE, '', ...reportParts(m.text, [`<html><body>${paragraphs.join('\n')}</body></html>`], attachment)].join('\n');
}
