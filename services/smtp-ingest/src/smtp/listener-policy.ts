import type { CopyTarget } from '@mailcluster/queue';
import type { SMTPServerSession } from 'smtp-server';

/** Who authenticated on a submission session: a mail user, or an internal service (the web tier). */
export type Principal = { kind: 'user'; address: string } | { kind: 'service'; name: string };

/** Where an accepted message goes: copies into hosted mailboxes, deliveries to other domains. */
export interface Routing {
  targets: CopyTarget[];
  remote: string[];
}

/**
 * What differs between the SMTP listeners: the MX listener takes mail for hosted mailboxes from
 * anyone; the submission listener takes mail from authenticated senders and files their Sent copy.
 * Each check throws an SmtpReplyError to refuse.
 */
export interface ListenerPolicy {
  readonly name: 'inbound' | 'submission';
  /** Present when the listener requires AUTH. */
  authenticate?: (username: string, password: string) => Promise<Principal>;
  checkSender(address: string, session: SMTPServerSession): Promise<void>;
  checkRecipient(address: string, session: SMTPServerSession): Promise<void>;
  /** Where an accepted message goes. */
  route(mailFrom: string, recipients: readonly string[], session: SMTPServerSession): Promise<Routing>;
}

/**
 * The principal smtp-server keeps on an authenticated session (set from our onAuth). Without AUTH
 * it is undefined, or `false` once STARTTLS has reset the session.
 */
export function sessionPrincipal(session: SMTPServerSession): Principal | undefined {
  return session.user ? (session.user as Principal) : undefined;
}
