import { addressDomain } from '@mailcluster/common';
import { smtpError } from '../errors.ts';
import type { Directory } from './directory.ts';
import type { ListenerPolicy } from './listener-policy.ts';

/**
 * Checks that a recipient is a mailbox hosted here (not an open relay); a lookup that fails is a
 * 451, so the sender retries rather than bouncing.
 */
export async function checkHostedMailbox(directory: Directory, rcpt: string): Promise<void> {
  let hosted: boolean;
  let state;
  try {
    hosted = await directory.isHostedDomain(rcpt);
    state = hosted ? await directory.mailboxState(rcpt) : undefined;
  } catch (error) {
    throw Object.assign(smtpError('SMTP_ERR_DIRECTORY_UNAVAILABLE'), { cause: error });
  }
  if (!hosted) throw smtpError('SMTP_ERR_RELAY_DENIED', `<${rcpt}>: domain ${addressDomain(rcpt)} is not hosted here`);
  if (state === 'disabled') throw smtpError('SMTP_ERR_MAILBOX_DISABLED', `<${rcpt}>`);
  if (state !== 'active') throw smtpError('SMTP_ERR_UNKNOWN_USER', `<${rcpt}>`);
}

/** The MX listener (port 25): mail from anyone, for hosted mailboxes only, filed in their Inbox. */
export function inboundPolicy(directory: Directory): ListenerPolicy {
  return {
    name: 'inbound',
    checkSender: async () => {},
    checkRecipient: (rcpt) => checkHostedMailbox(directory, rcpt),
    copyTargets: (_mailFrom, recipients) => recipients.map((recipient) => ({ recipient, folder: 'inbox', seen: false })),
  };
}
