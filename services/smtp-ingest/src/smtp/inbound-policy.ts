import type { ListenerPolicy } from './listener-policy.ts';
import type { Directory } from './directory.ts';
import { declaredSize, inboxCopies, resolveRecipient } from './recipient-resolution.ts';

/**
 * The MX listener (port 25): mail from anyone, for hosted recipients only: users (and their
 * forwards), aliases, catch-alls, each copy filed in a mailbox's Inbox. A full mailbox is 452 at
 * RCPT TO, before anything is accepted.
 */
export function inboundPolicy(directory: Directory): ListenerPolicy {
  return {
    name: 'inbound',
    checkSender: async () => {},
    checkRecipient: async (rcpt, session) => {
      await resolveRecipient(directory, rcpt, { checkQuota: true, incomingBytes: declaredSize(session) });
    },
    route: async (_mailFrom, recipients) => ({ targets: await inboxCopies(directory, recipients), remote: [] }),
  };
}
