import { readFile } from 'node:fs/promises';
import { FOLDERS, type MailStore, listFolder } from '@mailcluster/store';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpSink } from '../support/smtp-sink.ts';
import { createUsers, openTestStore, uniqueDomain } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';
import {
  apiSignIn,
  deliverMail,
  launchChromium,
  screenshot,
  signIn,
  trackRemoteRequests,
  waitForMail,
  webUrl,
} from '../support/webmail.ts';

const REPORT = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(20_000, 7), Buffer.from('\n%%EOF\n')]);

/** The Inbox row whose subject is exactly `subject`. */
function row(page: Page, subject: string) {
  return page.locator('li[data-row]').filter({ has: page.locator('.subject', { hasText: new RegExp(`^${subject.replace(/[?()]/g, '\\$&')}$`) }) });
}

async function send(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Send' }).click();
  await expect.poll(() => page.locator('.notice').textContent()).toBe('Message sent.');
}

describe('a day with the webmail, in chromium', () => {
  let browser: Browser;
  let store: MailStore;
  let ann: string;
  let bob: string;
  const domain = uniqueDomain('day');

  beforeAll(async () => {
    store = await openTestStore();
    [ann, bob] = (await createUsers(store, domain, ['ann', 'bob'])) as [string, string];
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await store?.close();
  });

  it('signs in, reads, replies, forwards, composes, searches, follows a thread, files, deletes and signs out', async () => {
    // The morning's mail arrives over SMTP: a note from a colleague and an HTML report from outside.
    await deliverMail({ from: bob, to: ann }, {
      from: { name: 'Bob Builder', address: bob },
      subject: 'Project kickoff',
      text: 'Hi Ann,\nthe kickoff is at 10 in room 4.\nBob',
      messageId: `<kickoff.${domain}>`,
    });
    await deliverMail({ from: 'dave@outside.test', to: ann }, {
      from: { name: 'Dave Numbers', address: 'dave@outside.test' },
      subject: 'Quarterly report',
      text: 'The numbers are up.',
      html: '<h1 id="r">Quarterly report</h1><p>The numbers are <b>up</b>.</p><img src="https://tracker.example/pixel.png" alt="">',
      attachments: [{ filename: 'report.pdf', content: REPORT, contentType: 'application/pdf' }],
    });
    await waitForMail(store, ann, (m) => m.subject === 'Quarterly report');
    await waitForMail(store, ann, (m) => m.subject === 'Project kickoff');

    const context = await browser.newContext({ viewport: { width: 1280, height: 820 }, acceptDownloads: true });
    const remote = await trackRemoteRequests(context);
    const page = await context.newPage();
    await page.goto(webUrl('/login'));
    await screenshot(page, 'login');

    // Sign in and see the inbox, newest first, both unread.
    await signIn(page, ann);
    await expect.poll(() => page.locator('li[data-row] .subject').allTextContents()).toEqual(['Quarterly report', 'Project kickoff']);
    expect(await page.locator('li.row.unread').count()).toBe(2);
    await expect.poll(() => page.locator('a[aria-current="page"] .count').textContent()).toBe('2');
    await screenshot(page, 'inbox');

    // Keyboard: j, j, Enter opens the second message; the true sender address is in view.
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/messages\/\d+$/);
    expect(await page.locator('pre.body-text').textContent()).toContain('the kickoff is at 10 in room 4.');
    expect(await page.locator('.headers .person').first().textContent()).toBe(`Bob Builder <${bob}>`);

    // Reply (r): To, subject and quote are prefilled; the reply reaches Bob's inbox through submission.
    await page.keyboard.press('r');
    await page.waitForURL(/\/compose\?reply=\d+/);
    expect(await page.getByLabel('To', { exact: true }).inputValue()).toBe(`Bob Builder <${bob}>`);
    expect(await page.getByLabel('Subject').inputValue()).toBe('Re: Project kickoff');
    const quoted = await page.getByLabel('Message').inputValue();
    expect(quoted).toContain('> the kickoff is at 10 in room 4.');
    await page.getByLabel('Message').fill(`I will be there.${quoted}`);
    await send(page);
    const reply = await waitForMail(store, bob, (m) => m.subject === 'Re: Project kickoff');
    expect(reply.fromAddress).toBe(ann);

    // The HTML report: rendered in the sandboxed frame, the tracking pixel blocked, nothing fetched.
    await row(page, 'Quarterly report').locator('a').click();
    await page.waitForURL(/\/messages\/\d+$/);
    const frame = page.frameLocator('iframe.body-frame');
    await expect.poll(() => frame.locator('h1').textContent()).toBe('Quarterly report');
    expect(await page.locator('.banner').textContent()).toContain('Remote content (1 item) was blocked');
    expect(await page.locator('iframe.body-frame').getAttribute('sandbox')).toBe('allow-popups allow-popups-to-escape-sandbox');
    await screenshot(page, 'message');

    // Download the attachment: same bytes, offered as a file.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'report.pdf' }).click()]);
    expect(download.suggestedFilename()).toBe('report.pdf');
    expect((await readFile(await download.path())).equals(REPORT)).toBe(true);

    // Forward (f) with the attachment; the address book suggests Bob (collected from the reply).
    await page.keyboard.press('f');
    await page.waitForURL(/\/compose\?forward=\d+/);
    expect(await page.getByLabel('Subject').inputValue()).toBe('Fwd: Quarterly report');
    expect(await page.getByRole('checkbox', { name: /report\.pdf/ }).isChecked()).toBe(true);
    await page.getByLabel('To', { exact: true }).pressSequentially('bo');
    await page.getByRole('option', { name: new RegExp(bob) }).click();
    expect(await page.getByLabel('To', { exact: true }).inputValue()).toContain(bob);
    await send(page);
    const forwarded = await waitForMail(store, bob, (m) => m.subject === 'Fwd: Quarterly report');
    expect(forwarded.hasAttachments).toBe(true);
    // Bob gets the very bytes Dave sent, after a parse, a compose and a second trip through SMTP.
    const bobApi = await apiSignIn(bob);
    const { attachments } = (await (await bobApi.fetch(`/api/messages/${forwarded.id}`)).json()) as { attachments: { index: number; filename: string }[] };
    const pdf = attachments.find((a) => a.filename === 'report.pdf');
    const downloaded = await bobApi.fetch(`/api/messages/${forwarded.id}/attachments/${pdf?.index}`);
    expect(Buffer.from(await downloaded.arrayBuffer()).equals(REPORT)).toBe(true);

    // Compose (c) a new message with an upload to Bob: it arrives, and is in Ann's Sent.
    await page.keyboard.press('c');
    await page.waitForURL(/\/compose$/);
    await page.getByLabel('To', { exact: true }).fill(bob);
    await page.getByLabel('Subject').fill('Lunch on Friday?');
    await page.getByLabel('Message').fill('Pizza at noon? The menu is attached.');
    await page.getByLabel('Attach files').setInputFiles({ name: 'menu.txt', mimeType: 'text/plain', buffer: Buffer.from('Margherita\nFunghi\n') });
    await screenshot(page, 'compose');
    await send(page);
    const lunch = await waitForMail(store, bob, (m) => m.subject === 'Lunch on Friday?');
    expect(lunch.hasAttachments).toBe(true);
    await page.goto(webUrl('/mail/sent'));
    expect(await page.locator('li[data-row] .subject').allTextContents()).toEqual(['Lunch on Friday?', 'Fwd: Quarterly report', 'Re: Project kickoff']);

    // Bob, in his own browser, finds the lunch mail with its attachment and answers it.
    const bobContext = await browser.newContext();
    const bobPage = await bobContext.newPage();
    await signIn(bobPage, bob);
    await row(bobPage, 'Lunch on Friday?').locator('a').click();
    expect(await bobPage.getByRole('link', { name: 'menu.txt' }).count()).toBe(1);
    await bobPage.keyboard.press('r');
    await bobPage.waitForURL(/\/compose\?reply=\d+/);
    await bobPage.getByLabel('Message').fill('Yes, pizza it is.');
    await send(bobPage);
    await bobContext.close();
    await waitForMail(store, ann, (m) => m.subject === 'Re: Lunch on Friday?');

    // Search (/): finds the exchange in Sent and Inbox.
    await page.goto(webUrl('/mail/inbox'));
    await page.keyboard.press('/');
    await page.keyboard.type('lunch');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/search\?q=lunch/);
    expect((await page.locator('li[data-row] .subject').allTextContents()).sort()).toEqual(['Lunch on Friday?', 'Re: Lunch on Friday?']);
    await screenshot(page, 'search');

    // The conversation: Ann's message from Sent and Bob's answer from the Inbox, in order.
    await row(page, 'Re: Lunch on Friday?').locator('a').click();
    await page.getByRole('link', { name: 'Conversation', exact: true }).click();
    await page.waitForURL(/\/thread$/);
    const thread = page.locator('.thread-item');
    expect(await thread.count()).toBe(2);
    expect(await thread.nth(0).locator('.folder-badge').textContent()).toBe('Sent');
    expect(await thread.nth(1).locator('.folder-badge').textContent()).toBe('Inbox');
    await screenshot(page, 'thread');
    await page.goto(webUrl('/conversations'));
    expect(await row(page, 'Re: Lunch on Friday?').locator('.thread-count').textContent()).toBe('(2)');

    // A draft is saved and resumed.
    await page.goto(webUrl('/compose'));
    await page.getByLabel('To', { exact: true }).fill(bob);
    await page.getByLabel('Subject').fill('Offsite ideas');
    await page.getByLabel('Message').fill('1. a lake\n2. a hill');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toBe('Draft saved.');
    await page.goto(webUrl('/mail/drafts'));
    await row(page, 'Offsite ideas').locator('a').click();
    await page.waitForURL(/\/compose\?draft=\d+/);
    expect(await page.getByLabel('Message').inputValue()).toBe('1. a lake\n2. a hill');
    expect(await page.getByLabel('To', { exact: true }).inputValue()).toBe(bob);

    // Mail to outside goes through submission and the delivery workers to the remote server.
    const sink = await SmtpSink.start();
    try {
      await page.goto(webUrl('/compose'));
      await page.getByLabel('To', { exact: true }).fill('someone@outside.test');
      await page.getByLabel('Subject').fill('To the world');
      await page.getByLabel('Message').fill('Greetings from the webmail.');
      await page.getByRole('button', { name: 'Send' }).click();
      await expect.poll(() => page.locator('.notice').textContent()).toBe('Message sent.');
      const [outside] = await waitFor('the remote server to receive it', () => {
        const found = sink.messages().filter((m) => m.message.includes('Subject: To the world'));
        return found.length > 0 && found;
      });
      expect(outside).toMatchObject({ mailFrom: ann, rcptTo: ['someone@outside.test'] });
      expect(outside?.message).toMatch(/^DKIM-Signature: /);
    } finally {
      await sink.stop();
    }

    // File the kickoff into a new folder, delete the report, empty Trash.
    await page.goto(webUrl('/folders'));
    await page.getByLabel('New folder').fill('Projects');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.goto(webUrl('/mail/inbox'));
    await row(page, 'Project kickoff').getByRole('checkbox').check();
    await page.getByLabel('Move to folder').selectOption({ label: 'Projects' });
    await page.getByRole('button', { name: 'Move', exact: true }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toBe('Moved.');
    await page.getByRole('link', { name: 'Projects' }).click();
    expect(await page.locator('li[data-row] .subject').allTextContents()).toEqual(['Project kickoff']);

    await page.goto(webUrl('/mail/inbox'));
    await row(page, 'Quarterly report').getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toBe('Deleted.');
    expect(await row(page, 'Quarterly report').count()).toBe(0);
    await page.goto(webUrl('/mail/trash'));
    expect(await page.locator('li[data-row] .subject').allTextContents()).toEqual(['Quarterly report']);
    await page.getByRole('button', { name: 'Empty Trash' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toBe('Folder emptied.');
    expect(await page.locator('li[data-row]').count()).toBe(0);
    expect(await listFolder(store.homePool(ann), ann, { folder: FOLDERS.trash, limit: 10 })).toEqual([]);

    // On a phone.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const phonePage = await phone.newPage();
    await signIn(phonePage, ann);
    await screenshot(phonePage, 'inbox-phone');
    expect(await phonePage.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    // Everything fits the width, and the first message is on the first screen.
    for (const name of ['Unflag', 'Delete']) {
      const box = await phonePage.getByRole('button', { name, exact: true }).boundingBox();
      expect(box!.x + box!.width, name).toBeLessThanOrEqual(390);
    }
    const first = await phonePage.locator('li[data-row]').first().boundingBox();
    expect(first!.y + first!.height).toBeLessThan(844);
    await phone.close();

    // Sign out: back at sign-in, and the mailbox is closed to this browser.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    await page.goto(webUrl('/mail/inbox'));
    await page.waitForURL(/\/login\?next=/);

    // Nothing in the whole day fetched anything from outside (the tracking pixel stayed blocked).
    expect(remote.urls).toEqual([]);
    await context.close();
  });
});
