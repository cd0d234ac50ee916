import { randomUUID, timingSafeEqual } from 'node:crypto';
import { normalizeAddress } from '@mailcluster/common';
import { hashPassword, verifyPassword } from '@mailcluster/admin';
import { type MailStore, findUser } from '@mailcluster/store';
import { smtpError } from '../errors.ts';
import type { Directory } from './directory.ts';
import { type ListenerPolicy, type Principal, sessionPrincipal } from './listener-policy.ts';
import { declaredSize, inboxCopies, resolveRecipient } from './recipient-resolution.ts';
import { SlidingWindow } from './sliding-window.ts';

export interface SubmissionSettings {
  /** The internal service account the web tier signs in with; it may send as any hosted user. */
  serviceUser: string;
  /** Its password; without one, only mail users can authenticate. */
  servicePassword: string | undefined;
  /** Deliver to other domains (MAIL_OUT); off: only hosted recipients are accepted. */
  outbound: boolean;
  /** Recipients one sender may address per hour (on this pod). */
  recipientsPerHour: number;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The submission listener (port 587): AUTH required (over TLS: smtp-server refuses AUTH before
 * STARTTLS), the envelope sender must be the authenticated user or an alias that reaches them, or
 * any active hosted user for the web tier's service account. Hosted recipients are resolved as on
 * the MX listener (aliases, forwards, quota) and go straight to their Inbox; the sender's own
 * mailbox gets one copy in Sent.
 */
export function submissionPolicy(directory: Directory, store: MailStore, settings: SubmissionSettings): ListenerPolicy {
  // Verified against when the user does not exist, so both failures take the same time.
  const dummyHash = hashPassword(randomUUID());
  const sent = new SlidingWindow(settings.recipientsPerHour, 3_600_000);

  /** A directory lookup; failing, it is a 451 so the client tries again. */
  async function lookup<T>(query: () => Promise<T>): Promise<T> {
    try {
      return await query();
    } catch (error) {
      throw Object.assign(smtpError('SMTP_ERR_DIRECTORY_UNAVAILABLE'), { cause: error });
    }
  }

  const isHosted = (address: string) => lookup(() => directory.isHostedDomain(address));

  async function mayUseSender(principal: Principal, address: string): Promise<boolean> {
    if (principal.kind === 'service') return (await isHosted(address)) && (await lookup(() => directory.mailboxState(address))) === 'active';
    return address === principal.address || (await lookup(() => directory.aliasTargets(address))).includes(principal.address);
  }

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
      if (principal === undefined || address === '' || !(await mayUseSender(principal, address))) throw smtpError('SMTP_ERR_SENDER_NOT_OWNED', `<${address}>`);
    },
    async checkRecipient(rcpt, session) {
      const sender = session.envelope.mailFrom === false ? '' : normalizeAddress(session.envelope.mailFrom.address);
      if (sent.isOver(sender)) throw smtpError('SMTP_ERR_RATE_LIMITED', `<${sender}>`);
      if (await isHosted(rcpt)) await resolveRecipient(directory, rcpt, { checkQuota: true, incomingBytes: declaredSize(session) });
      else if (!settings.outbound) throw smtpError('SMTP_ERR_NO_REMOTE_DELIVERY', `<${rcpt}>`);
      sent.add(sender);
    },
    async route(mailFrom, recipients, session) {
      const hosted = await Promise.all(recipients.map(isHosted));
      // Sent goes to the mailbox that sent: the user, also when writing as one of their aliases.
      const principal = sessionPrincipal(session);
      const sender = principal?.kind === 'user' ? principal.address : mailFrom;
      return {
        targets: [...(await inboxCopies(directory, recipients.filter((_, i) => hosted[i]))), { recipient: sender, folder: 'sent', seen: true }],
        remote: recipients.filter((_, i) => !hosted[i]),
      };
    },
  };
}
