import { randomBytes } from 'node:crypto';
import type { AcceptedMessage, OutboundMessage, ParsedMail } from '@mailcluster/queue';

export interface DsnFacts {
  message: OutboundMessage;
  /** failed: given up (5xx, or too old); delayed: still trying (a warning). */
  action: 'failed' | 'delayed';
  /** RFC 3463 status, e.g. 5.1.1. */
  status: string;
  /** The remote's answer, or what went wrong locally. */
  diagnostic: string;
  remoteMta: string | undefined;
  reportingMta: string;
  lastAttempt: Date;
  /** For delayed: when we stop trying. */
  retryUntil?: Date;
  /** The header block of the original message (text/rfc822-headers). */
  originalHeaders: string;
}

/** One line of text from a remote answer: no control characters, bounded. */
export function oneLine(text: string, max = 900): string {
  // Control characters (CR, LF, NUL …) could end the header line a DSN quotes this in.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\x00-\x1f\x7f]+/g, ' ').trim().slice(0, max);
}

/** The RFC 3463 code in an SMTP answer, or a generic one for its class. */
export function enhancedStatus(response: string, fallback: string): string {
  return /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(response)?.[1] ?? fallback;
}

const date = (d: Date) => d.toUTCString().replace(/GMT$/, '+0000');

/**
 * A delivery status notification (RFC 3464) telling the sender that a message failed or is
 * delayed: a multipart/report with a human part, the machine-readable delivery-status, and the
 * original's headers. It is sent from the null sender, so it can never bounce back (RFC 5321 §6.1),
 * and it is stored once however often it is made (its idempotency key is the delivery and action).
 */
export function buildDsn(facts: DsnFacts): AcceptedMessage {
  const { message, action } = facts;
  const boundary = `dsn-${randomBytes(12).toString('hex')}`;
  const subject = action === 'failed' ? 'Undelivered Mail Returned to Sender' : 'Delayed Mail (still being retried)';
  const human = action === 'failed'
    ? `Your message to <${message.recipient}> could not be delivered. It will not be retried.\r\n\r\nThe server said: ${facts.diagnostic}\r\n`
    : `Your message to <${message.recipient}> has not been delivered yet. It will be retried until ${date(facts.retryUntil ?? facts.lastAttempt)}; you need not send it again.\r\n\r\nThe last attempt: ${facts.diagnostic}\r\n`;
  const perRecipient = [
    `Final-Recipient: rfc822; ${message.recipient}`,
    `Action: ${action}`,
    `Status: ${facts.status}`,
    ...(facts.remoteMta ? [`Remote-MTA: dns; ${facts.remoteMta}`] : []),
    `Diagnostic-Code: smtp; ${facts.diagnostic}`,
    `Last-Attempt-Date: ${date(facts.lastAttempt)}`,
    ...(facts.retryUntil ? [`Will-Retry-Until: ${date(facts.retryUntil)}`] : []),
  ];
  const messageId = `<dsn.${action}.${message.id.slice(0, 24)}@${facts.reportingMta}>`;
  const raw = Buffer.from([
    `From: Mail Delivery System <MAILER-DAEMON@${facts.reportingMta}>`,
    `To: <${message.mailFrom}>`,
    `Subject: ${subject}`,
    `Date: ${date(facts.lastAttempt)}`,
    `Message-ID: ${messageId}`,
    ...(message.messageId ? [`In-Reply-To: ${message.messageId}`, `References: ${message.messageId}`] : []),
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    human,
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    `Reporting-MTA: dns; ${facts.reportingMta}`,
    `Arrival-Date: ${date(new Date(message.acceptedAt))}`,
    '',
    ...perRecipient,
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    facts.originalHeaders.replace(/\r?\n/g, '\r\n').trimEnd(),
    '',
    `--${boundary}--`,
    '',
  ].join('\r\n'));
  const text = human.replace(/\r\n/g, '\n');
  const parsed: ParsedMail = {
    subject,
    from: [{ address: `MAILER-DAEMON@${facts.reportingMta}`, name: 'Mail Delivery System' }],
    to: [{ address: message.mailFrom, name: '' }],
    cc: [],
    date: facts.lastAttempt.toISOString(),
    messageId,
    inReplyTo: message.messageId,
    references: message.messageId ? [message.messageId] : [],
    snippet: text.replace(/\s+/g, ' ').trim().slice(0, 200),
    text,
    hasHtml: false,
    attachments: [],
  };
  return {
    received: raw,
    stored: Buffer.concat([Buffer.from('Return-Path: <>\r\n'), raw]),
    relayed: raw,
    mailFrom: '',
    targets: [{ recipient: message.mailFrom, folder: 'inbox', seen: false }],
    remote: [],
    parsed,
    acceptedAt: facts.lastAttempt.getTime(),
    idempotencyKey: `dsn:${message.id}:${action}`,
  };
}

/** The header block of a raw message (up to the first empty line). */
export function headerBlock(raw: Buffer): string {
  const end = raw.indexOf('\r\n\r\n');
  return raw.toString('utf8', 0, end === -1 ? Math.min(raw.length, 64 * 1024) : end);
}
