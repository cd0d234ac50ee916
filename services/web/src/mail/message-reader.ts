import { type AddressObject, type EmailAddress, simpleParser } from 'mailparser';
import { safeFilename } from '../sanitize/filename.ts';

/** A stored message, parsed for reading: headers as they are, text, HTML (unsanitised), attachments. */
export interface ReadableMessage {
  from: Mailbox[];
  to: Mailbox[];
  cc: Mailbox[];
  /** Only in drafts (the composer keeps Bcc there); received mail has none. */
  bcc: Mailbox[];
  replyTo: Mailbox[];
  date: Date | null;
  subject: string;
  text: string;
  /** The sender's HTML; only ever shown after sanitizeHtml. Inline cid: images are data: URLs in it. */
  html: string | null;
  attachments: AttachmentPart[];
}

export interface Mailbox {
  name: string;
  address: string;
}

export interface AttachmentPart {
  /** Position among the message's attachments: the id in download URLs. */
  index: number;
  filename: string;
  contentType: string;
  size: number;
  /** An image shown inside the HTML body (multipart/related); not listed as an attachment. */
  inline: boolean;
  content: Buffer;
}

function flatten(list: readonly EmailAddress[]): Mailbox[] {
  return list.flatMap((entry) => (entry.group ? flatten(entry.group) : [{ name: entry.name, address: entry.address ?? '' }]));
}

function mailboxes(value: AddressObject | AddressObject[] | undefined): Mailbox[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).flatMap((object) => flatten(object.value));
}

/** Largest HTML part converted to text for mail without a text part (html-to-text is slow on huge input). */
const MAX_HTML_TO_TEXT = 2_000_000;

export async function readMessage(raw: Buffer): Promise<ReadableMessage> {
  const parsed = await simpleParser(raw, {
    skipTextToHtml: true,
    skipTextLinks: true,
    skipImageLinks: true,
    maxHtmlLengthToParse: MAX_HTML_TO_TEXT,
  });
  return {
    from: mailboxes(parsed.from),
    to: mailboxes(parsed.to),
    cc: mailboxes(parsed.cc),
    bcc: mailboxes(parsed.bcc),
    replyTo: mailboxes(parsed.replyTo),
    date: parsed.date ?? null,
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' && parsed.html !== '' ? parsed.html : null,
    attachments: parsed.attachments.map((part, index) => ({
      index,
      filename: safeFilename(part.filename ?? '', `attachment-${index + 1}`),
      contentType: part.contentType,
      size: part.size,
      inline: part.related === true,
      content: part.content,
    })),
  };
}

/** `Name <address>`, or the address alone. */
export function formatMailbox(mailbox: Mailbox): string {
  return mailbox.name ? `${mailbox.name} <${mailbox.address}>` : mailbox.address;
}
