import { type Mailbox, type ReadableMessage, formatMailbox } from './message-reader.ts';

/** Subjects, recipients and quoted text of replies and forwards. */

export function replySubject(subject: string): string {
  return /^\s*re\s*:/i.test(subject) ? subject : `Re: ${subject}`;
}

export function forwardSubject(subject: string): string {
  return /^\s*(fwd?|fw)\s*:/i.test(subject) ? subject : `Fwd: ${subject}`;
}

function dateLine(date: Date | null): string {
  return date === null ? 'an unknown date' : date.toUTCString();
}

export function quoteReply(message: ReadableMessage): string {
  const author = message.from[0] ? formatMailbox(message.from[0]) : 'someone';
  const quoted = message.text.replace(/\r\n/g, '\n').trimEnd().split('\n').map((line) => (line.startsWith('>') ? `>${line}` : `> ${line}`));
  return `\n\nOn ${dateLine(message.date)}, ${author} wrote:\n${quoted.join('\n')}\n`;
}

export function quoteForward(message: ReadableMessage): string {
  const list = (mailboxes: readonly Mailbox[]) => mailboxes.map(formatMailbox).join(', ');
  const header = [
    '---------- Forwarded message ----------',
    `From: ${list(message.from)}`,
    `Date: ${dateLine(message.date)}`,
    `Subject: ${message.subject}`,
    `To: ${list(message.to)}`,
    ...(message.cc.length > 0 ? [`Cc: ${list(message.cc)}`] : []),
  ];
  return `\n\n${header.join('\n')}\n\n${message.text.replace(/\r\n/g, '\n').trimEnd()}\n`;
}

/** Who a reply goes to: Reply-To or From; for reply-all also every To and Cc but the user. */
export function replyRecipients(message: ReadableMessage, self: string, all: boolean): { to: Mailbox[]; cc: Mailbox[] } {
  const to = message.replyTo.length > 0 ? message.replyTo : message.from;
  if (!all) return { to, cc: [] };
  const taken = new Set([self, ...to.map((m) => m.address.toLowerCase())]);
  const cc = [...message.to, ...message.cc].filter((m) => {
    const key = m.address.toLowerCase();
    if (taken.has(key) || key === '') return false;
    taken.add(key);
    return true;
  });
  return { to, cc };
}
