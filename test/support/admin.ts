import { randomBytes } from 'node:crypto';
import { AdminService } from '@mailcluster/admin';
import { type MailStore, findUser } from '@mailcluster/store';
import { transact } from './sender.ts';
import { TEST_ACTOR, rowsFor, stack } from './stack.ts';
import { waitFor } from './wait.ts';

/** Helpers for the administration tests (issue 8). */

export function testAdmin(store: MailStore): AdminService {
  return new AdminService(store, TEST_ACTOR);
}

/** A small message with its own Message-ID, `padding` bytes of body. */
export function plainMessage(to: string, subject: string, padding = 0): { raw: Buffer; messageId: string } {
  const messageId = `<${randomBytes(8).toString('hex')}@admin.e2e.test>`;
  const body = 'x'.repeat(padding).replace(/(.{76})/g, '$1\r\n');
  const raw = Buffer.from(`From: sender@outside.test\r\nTo: ${to}\r\nSubject: ${subject}\r\nMessage-ID: ${messageId}\r\n\r\nhello\r\n${body}\r\n`);
  return { raw, messageId };
}

/** One SMTP transaction to the stack's MX listener; the reply of RCPT (when refused) or of DATA. */
export function sendTo(to: readonly string[], raw: Buffer): ReturnType<typeof transact> {
  return transact(stack().smtp.host, stack().smtp.port, { from: 'sender@outside.test', to, raw });
}

/** The recipients that hold a copy of the message, once `expected` copies are stored. */
export async function holdersOf(store: MailStore, candidates: readonly string[], messageId: string, expected: number): Promise<string[]> {
  return waitFor(`${expected} stored copies of ${messageId}`, async () => {
    const rows = (await rowsFor(store, candidates)).filter((row) => row.messageId === messageId);
    return rows.length >= expected ? rows.map((row) => row.emailTo).sort() : undefined;
  }, { timeoutMs: 30_000, intervalMs: 200 });
}

export async function usedBytes(store: MailStore, address: string): Promise<number> {
  return (await findUser(store.homePool(address), address))?.usedBytes ?? -1;
}
