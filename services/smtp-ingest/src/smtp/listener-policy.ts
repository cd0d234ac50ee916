import type { SMTPServerSession } from 'smtp-server';

/** Who authenticated on a submission session: a mail user, or an internal service (the web tier). */
export type Principal = { kind: 'user'; address: string } | { kind: 'service'; name: string };

/** Where one copy of an accepted message is filed. */
export interface CopyTarget {
  recipient: string;
  folder: 'inbox' | 'sent';
  seen: boolean;
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
  /** The copies to store for an accepted message. */
  copyTargets(mailFrom: string, recipients: readonly string[]): CopyTarget[];
}

/** The principal smtp-server keeps on an authenticated session (set from our onAuth). */
export function sessionPrincipal(session: SMTPServerSession): Principal | undefined {
  return session.user as Principal | undefined;
}
