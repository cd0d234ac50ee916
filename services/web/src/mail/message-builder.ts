import { randomBytes } from 'node:crypto';
import type { SendMailOptions } from 'nodemailer';
import { headerText } from './addresses.ts';
import type { Mailbox } from './message-reader.ts';
import { safeFilename } from '../sanitize/filename.ts';

export interface OutgoingAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** A message from the composer, every address already checked by parseRecipients. */
export interface OutgoingMessage {
  from: Mailbox;
  to: Mailbox[];
  cc: Mailbox[];
  bcc: Mailbox[];
  subject: string;
  text: string;
  inReplyTo: string | null;
  references: string[];
  attachments: OutgoingAttachment[];
  messageId: string;
  date: Date;
}

const MESSAGE_ID = /^<[\x21-\x3b\x3d\x3f-\x7e]{1,250}>$/;

/** Thread ids from stored headers, kept only when they are plain `<id>` tokens. */
export function cleanMessageIds(ids: readonly (string | null)[]): string[] {
  return ids.filter((id): id is string => id !== null && MESSAGE_ID.test(id)).slice(-20);
}

export function newMessageId(address: string): string {
  const domain = address.slice(address.lastIndexOf('@') + 1) || 'localhost';
  return `<${randomBytes(16).toString('hex')}@${domain}>`;
}

function mailbox(m: Mailbox): { name: string; address: string } {
  return { name: headerText(m.name, 200), address: m.address };
}

/**
 * The nodemailer options for a message. Every header value goes through nodemailer's encoder
 * (never `prepared`, never `raw`), text is stripped of control characters first, the envelope is
 * built from checked addresses only, and attachments are in-memory buffers (file and URL access
 * are off in the transport and composer as well).
 */
export function mailOptions(message: OutgoingMessage): SendMailOptions {
  return {
    from: mailbox(message.from),
    to: message.to.map(mailbox),
    cc: message.cc.map(mailbox),
    bcc: message.bcc.map(mailbox),
    subject: headerText(message.subject),
    text: message.text.replace(/\0/g, ''),
    date: message.date,
    messageId: message.messageId,
    ...(message.inReplyTo !== null && MESSAGE_ID.test(message.inReplyTo) ? { inReplyTo: message.inReplyTo } : {}),
    ...(message.references.length > 0 ? { references: cleanMessageIds(message.references) } : {}),
    envelope: { from: message.from.address, to: [...message.to, ...message.cc, ...message.bcc].map((m) => m.address) },
    attachments: message.attachments.map((a) => ({
      filename: headerText(safeFilename(a.filename), 200),
      contentType: /^[\w.+-]+\/[\w.+-]+$/.test(a.contentType) ? a.contentType : 'application/octet-stream',
      content: a.content,
    })),
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}
