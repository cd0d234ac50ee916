import { randomUUID, timingSafeEqual } from 'node:crypto';
import { normalizeAddress } from '@mailcluster/common';
import { hashPassword, verifyPassword } from '@mailcluster/admin';
import { type MailStore, findUser } from '@mailcluster/store';
import { SmtpReplyError, smtpError } from '../errors.ts';
import type { Directory } from './directory.ts';
import { checkHostedMailbox } from './inbound-policy.ts';
import { type ListenerPolicy, type Principal, sessionPrincipal } from './listener-policy.ts';

export interface SubmissionSettings {
  /** The internal service account the web tier signs in with; it may send as any hosted user. */
  serviceUser: string;
  /** Its password; without one, only mail users can authenticate. */
  servicePassword: string | undefined;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The submission listener (port 587): AUTH required (over TLS: smtp-server refuses AUTH before
 * STARTTLS), the envelope sender must be the authenticated user, or any hosted user for the web
 * tier's service account. Recipients on hosted domains go straight to their Inbox, and the sender
 * gets one copy in Sent.
 */
export function submissionPolicy(directory: Directory, store: MailStore, settings: SubmissionSettings): ListenerPolicy {
  // Verified against when the user does not exist, so both failures take the same time.
  const dummyHash = hashPassword(randomUUID());

  async function authenticate(username: string, password: string): Promise<Principal> {
    if (settings.servicePassword !== undefined && username === settings.serviceUser) {
      if (sameSecret(password, settings.servicePassword)) return { kind: 'service', name: username };
      throw smtpError('SMTP_ERR_AUTH_FAILED');
    }
    const address = normalizeAddress(username);
    let user;
    try {
      user = await findUser(store.homePool(address), address);
    } catch (error) {
      throw Object.assign(smtpError('SMTP_ERR_AUTH_UNAVAILABLE'), { cause: error });
    }
    const valid = await verifyPassword(user?.passwordHash ?? (await dummyHash), password);
    if (user === null || user.disabled || !valid) throw smtpError('SMTP_ERR_AUTH_FAILED');
    return { kind: 'user', address };
  }

  return {
    name: 'submission',
    authenticate,
    async checkSender(address, session) {
      const principal = sessionPrincipal(session);
      if (principal === undefined || address === '') throw smtpError('SMTP_ERR_SENDER_NOT_OWNED', `<${address}>`);
      if (principal.kind === 'user') {
        if (address !== principal.address) throw smtpError('SMTP_ERR_SENDER_NOT_OWNED', `<${address}>`);
        return;
      }
      try {
        await checkHostedMailbox(directory, address);
      } catch (error) {
        if (error instanceof SmtpReplyError && error.responseCode >= 500) throw smtpError('SMTP_ERR_SENDER_NOT_OWNED', `<${address}>`);
        throw error;
      }
    },
    async checkRecipient(rcpt) {
      let hosted: boolean;
      try {
        hosted = await directory.isHostedDomain(rcpt);
      } catch (error) {
        throw Object.assign(smtpError('SMTP_ERR_DIRECTORY_UNAVAILABLE'), { cause: error });
      }
      if (!hosted) throw smtpError('SMTP_ERR_NO_REMOTE_DELIVERY', `<${rcpt}>`);
      await checkHostedMailbox(directory, rcpt);
    },
    copyTargets: (mailFrom, recipients) => [
      ...recipients.map((recipient) => ({ recipient, folder: 'inbox' as const, seen: false })),
      { recipient: mailFrom, folder: 'sent', seen: true },
    ],
  };
}
