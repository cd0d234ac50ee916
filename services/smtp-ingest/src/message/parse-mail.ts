import type { ParsedMail } from '@mailcluster/queue';
import { type AddressObject, type EmailAddress, type HeaderValue, type Headers, MailParser } from 'mailparser';

/**
 * Turns raw message bytes into what the store keeps beside them (subject, addresses, thread ids,
 * snippet, text for search, attachment list). mailparser does the MIME and charset work; this
 * module decides what to keep and bounds it.
 */
export interface ParseLimits {
  /** Text kept for search, in characters. */
  maxTextChars: number;
  /** HTML longer than this is not converted to text (html-to-text is the slow part of parsing). */
  maxHtmlChars: number;
}

const SNIPPET_CHARS = 200;

function flatten(addresses: readonly EmailAddress[]): { address: string; name: string }[] {
  return addresses.flatMap((entry) =>
    entry.group ? flatten(entry.group) : [{ address: entry.address ?? '', name: entry.name }],
  );
}

function addressList(value: HeaderValue | undefined): { address: string; name: string }[] {
  if (value === undefined || typeof value !== 'object' || value instanceof Date) return [];
  const objects = (Array.isArray(value) ? value : [value]) as AddressObject[];
  return objects.flatMap((object) => (Array.isArray(object.value) ? flatten(object.value) : []));
}

function text(value: HeaderValue | undefined): string | null {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return null;
}

function messageIds(value: HeaderValue | undefined): string[] {
  const raw = Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string').join(' ') : text(value) ?? '';
  return raw.match(/<[^<>\s]+>/g) ?? [];
}

function isoDate(value: HeaderValue | undefined): string | null {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : null;
}

export function collapseWhitespace(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

export async function parseMail(raw: Buffer, limits: ParseLimits): Promise<ParsedMail> {
  const parser = new MailParser({
    checksumAlgo: false,
    skipTextToHtml: true,
    skipImageLinks: true,
    skipTextLinks: true,
    maxHtmlLengthToParse: limits.maxHtmlChars,
  });
  let headers: Headers = new Map();
  let body = '';
  let hasHtml = false;
  const attachments: ParsedMail['attachments'] = [];

  await new Promise<void>((resolve, reject) => {
    parser.on('headers', (parsed) => {
      headers = parsed;
    });
    parser.on('data', (data) => {
      if (data.type === 'text') {
        body = data.text ?? '';
        hasHtml = typeof data.html === 'string' && data.html.length > 0;
        return;
      }
      let size = 0;
      data.content.on('data', (chunk: Buffer) => {
        size += chunk.length;
      });
      data.content.on('end', () => {
        attachments.push({ filename: data.filename ?? '', contentType: data.contentType, size });
        data.release?.();
      });
    });
    parser.once('end', () => resolve());
    parser.once('error', reject);
    parser.end(raw);
  });

  const subject = text(headers.get('subject')) ?? '';
  const searchText = body.length > limits.maxTextChars ? body.slice(0, limits.maxTextChars) : body;
  return {
    subject,
    from: addressList(headers.get('from')),
    to: addressList(headers.get('to')),
    cc: addressList(headers.get('cc')),
    date: isoDate(headers.get('date')),
    messageId: messageIds(headers.get('message-id'))[0] ?? null,
    inReplyTo: messageIds(headers.get('in-reply-to'))[0] ?? null,
    references: messageIds(headers.get('references')),
    snippet: collapseWhitespace(body.slice(0, SNIPPET_CHARS * 4)).slice(0, SNIPPET_CHARS),
    text: searchText,
    hasHtml,
    attachments,
  };
}
