import { addressDomain } from '@mailcluster/common';
import type { CopyTarget } from '@mailcluster/queue';
import type { SMTPServerSession } from 'smtp-server';
import { SmtpReplyError, smtpError } from '../errors.ts';
import { type Directory, isOverQuota } from './directory.ts';

/**
 * Which mailboxes a message to `rcpt` lands in, in this order of lookups (ADR 0011):
 * 1. a user: its own mailbox, plus its forwarding targets (without its own copy when it keeps none);
 * 2. an alias: its targets;
 * 3. the domain's catch-all mailbox.
 * Targets are hosted mailboxes (mailctl refuses others); a target that has since gone or been
 * disabled is skipped, and a forward left with no target falls back to the user's own mailbox, so
 * mail is never dropped. One hop: a target's own forwarding is not followed (no loops).
 * Throws the SMTP reply for a recipient that cannot take mail now; with `checkQuota`, 452 4.2.2
 * when any of its mailboxes is full (or would be with `incomingBytes`), so nothing is stored for it.
 */
export async function resolveRecipient(directory: Directory, rcpt: string, options: { checkQuota: boolean; incomingBytes: number }): Promise<string[]> {
  try {
    if (!(await directory.isHostedDomain(rcpt))) throw smtpError('SMTP_ERR_RELAY_DENIED', `<${rcpt}>: domain ${addressDomain(rcpt)} is not hosted here`);
    const mailboxes = await mailboxesOf(directory, rcpt);
    if (options.checkQuota) {
      for (const mailbox of mailboxes) if (isOverQuota(await directory.mailbox(mailbox), options.incomingBytes)) throw smtpError('SMTP_ERR_MAILBOX_FULL', `<${rcpt}>`);
    }
    return mailboxes;
  } catch (error) {
    if (error instanceof SmtpReplyError) throw error;
    throw Object.assign(smtpError('SMTP_ERR_DIRECTORY_UNAVAILABLE'), { cause: error });
  }
}

/**
 * The Inbox copies for a message's hosted recipients, one per mailbox, resolved again at the end of
 * DATA from the directory's cache (the quota was checked at RCPT TO). A recipient that stopped
 * resolving meanwhile (an alias removed during DATA) is a 451: the sender tries again.
 */
export async function inboxCopies(directory: Directory, recipients: readonly string[]): Promise<CopyTarget[]> {
  const mailboxes = new Set<string>();
  for (const rcpt of recipients) {
    try {
      for (const mailbox of await resolveRecipient(directory, rcpt, { checkQuota: false, incomingBytes: 0 })) mailboxes.add(mailbox);
    } catch (error) {
      throw error instanceof SmtpReplyError && error.responseCode >= 500 ? Object.assign(smtpError('SMTP_ERR_DIRECTORY_UNAVAILABLE'), { cause: error }) : error;
    }
  }
  return [...mailboxes].map((recipient) => ({ recipient, folder: 'inbox', seen: false }));
}

/** The size the client declared with MAIL FROM … SIZE=n, or 0: counted against the quota at RCPT TO. */
export function declaredSize(session: SMTPServerSession): number {
  const args = session.envelope.mailFrom === false ? false : (session.envelope.mailFrom.args as Record<string, string> | false);
  const size = args === false ? undefined : args.SIZE;
  return size !== undefined && /^\d{1,12}$/.test(size) ? Number(size) : 0;
}

async function mailboxesOf(directory: Directory, rcpt: string): Promise<string[]> {
  const user = await directory.mailbox(rcpt);
  if (user.state === 'disabled') throw smtpError('SMTP_ERR_MAILBOX_DISABLED', `<${rcpt}>`);
  if (user.state === 'active') {
    const forwards = await activeOnly(directory, user.forwardTo.filter((target) => target !== rcpt));
    return forwards.length === 0 ? [rcpt] : [...(user.keepForwardedCopy ? [rcpt] : []), ...forwards];
  }
  const aliasTargets = await directory.aliasTargets(rcpt);
  if (aliasTargets.length > 0) {
    const active = await activeOnly(directory, aliasTargets);
    if (active.length === 0) throw smtpError('SMTP_ERR_UNKNOWN_USER', `<${rcpt}>`); // an alias never falls through to the catch-all
    return active;
  }
  const catchAll = await directory.catchAll(rcpt);
  const [catcher] = catchAll === null ? [] : await activeOnly(directory, [catchAll]);
  if (catcher === undefined) throw smtpError('SMTP_ERR_UNKNOWN_USER', `<${rcpt}>`);
  return [catcher];
}

async function activeOnly(directory: Directory, addresses: readonly string[]): Promise<string[]> {
  const states = await Promise.all(addresses.map((address) => directory.mailboxState(address)));
  return addresses.filter((_, i) => states[i] === 'active');
}
