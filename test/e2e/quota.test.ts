import { setTimeout as sleep } from 'node:timers/promises';
import { FOLDERS, type MailStore, emptyFolder, listFolder, mailboxUsage, moveMessages, purgeMessages } from '@mailcluster/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdersOf, plainMessage, sendTo, testAdmin, usedBytes } from '../support/admin.ts';
import { SmtpClient } from '../support/smtp-client.ts';
import { createUsers, openTestStore, rowsFor, stack, uniqueDomain } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';

/** Quotas (issue 8): the writers keep the use, ingest refuses a full mailbox at RCPT TO with 452 4.2.2. */
describe('quotas', () => {
  let store: MailStore;
  const domain = uniqueDomain('quota');
  let full: string;
  let counted: string;

  beforeAll(async () => {
    store = await openTestStore();
    [full, counted] = (await createUsers(store, domain, ['full', 'counted'])) as [string, string];
  });

  afterAll(() => store?.close());

  it('refuses a full mailbox with 452 4.2.2 before 250, stores nothing, and takes mail again once the quota is raised', async () => {
    const admin = testAdmin(store);
    await admin.users.setQuota(full, 2_000);
    const first = plainMessage(full, 'fills the mailbox', 3_000);
    expect((await sendTo([full], first.raw)).final.code).toBe(250); // under quota when it arrived (0 < 2,000)
    await holdersOf(store, [full], first.messageId, 1);
    await waitFor('the use to count the message', async () => ((await usedBytes(store, full)) > 2_000 ? true : undefined));

    const second = plainMessage(full, 'finds it full');
    const client = await SmtpClient.connect(stack().smtp.host, stack().smtp.port);
    await client.command('EHLO sender.test');
    expect((await client.command('MAIL FROM:<sender@outside.test>')).code).toBe(250);
    const refused = await client.command(`RCPT TO:<${full}>`);
    expect(refused.code).toBe(452);
    expect(refused.text).toMatch(/^4\.2\.2 <full@.*>: Mailbox full/);
    await client.quit();
    await sleep(1_500);
    expect((await rowsFor(store, [full])).map((row) => row.messageId)).toEqual([first.messageId]);

    await admin.users.setQuota(full, '10M');
    expect((await sendTo([full], second.raw)).final.code).toBe(250);
    await holdersOf(store, [full], second.messageId, 1);
  });

  it('refuses a message whose declared SIZE would not fit', async () => {
    await testAdmin(store).users.setQuota(counted, 100_000);
    const client = await SmtpClient.connect(stack().smtp.host, stack().smtp.port);
    await client.command('EHLO sender.test');
    await client.command('MAIL FROM:<sender@outside.test> SIZE=200000');
    expect((await client.command(`RCPT TO:<${counted}>`)).code).toBe(452);
    await client.command('RSET');
    await client.command('MAIL FROM:<sender@outside.test> SIZE=2000');
    expect((await client.command(`RCPT TO:<${counted}>`)).code).toBe(250);
    await client.quit();
  });

  it('counts each stored copy once (a resent message is a duplicate) and subtracts what is deleted', async () => {
    const messages = [plainMessage(counted, 'one', 500), plainMessage(counted, 'two', 1_500), plainMessage(counted, 'three', 100)];
    for (const { raw } of messages) expect((await sendTo([counted], raw)).final.code).toBe(250);
    // The same bytes again: the sender's retry. One row, counted once.
    expect((await sendTo([counted], messages[0]!.raw)).final.code).toBe(250);
    for (const { messageId } of messages) await holdersOf(store, [counted], messageId, 1);
    await sleep(1_000);
    const pool = store.homePool(counted);
    const stored = await mailboxUsage(pool, counted);
    expect((await rowsFor(store, [counted])).length).toBe(3);
    expect(await usedBytes(store, counted)).toBe(stored);

    const inbox = await listFolder(pool, counted, { folder: FOLDERS.inbox, limit: 10 });
    const [a, b] = inbox as [(typeof inbox)[0], (typeof inbox)[0]];
    await moveMessages(pool, counted, [a.id, b.id], FOLDERS.trash);
    expect(await usedBytes(store, counted)).toBe(stored); // in Trash still counts
    expect(await purgeMessages(pool, counted, [a.id], FOLDERS.trash)).toBe(1);
    expect(await usedBytes(store, counted)).toBe(stored - a.size);
    expect(await emptyFolder(pool, counted, FOLDERS.trash)).toBe(1);
    expect(await usedBytes(store, counted)).toBe(stored - a.size - b.size);
    expect(await usedBytes(store, counted)).toBe(await mailboxUsage(pool, counted));
    expect(await testAdmin(store).users.recount(counted)).toBe(await usedBytes(store, counted));
  });
});
