import { FOLDERS, type MailStore } from '@mailcluster/store';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUsers, openTestStore, uniqueDomain } from '../support/stack.ts';
import { deliverMail, launchChromium, signIn, trackRemoteRequests, waitForMail, webUrl } from '../support/webmail.ts';

/** Form controls on the page that a screen reader could not name (no label, aria-label, aria-labelledby, title or text). */
function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const named = (el: HTMLElement): boolean => {
      if (el.getAttribute('aria-label')?.trim() || el.getAttribute('aria-labelledby') || el.getAttribute('title')?.trim()) return true;
      if ('labels' in el && (el as HTMLInputElement).labels?.length) return true;
      if (el instanceof HTMLButtonElement || el instanceof HTMLAnchorElement) return (el.textContent ?? '').trim() !== '';
      return false;
    };
    const controls = [...document.querySelectorAll<HTMLElement>('input:not([type="hidden"]), select, textarea, button, a[href]')];
    return controls.filter((el) => !named(el)).map((el) => el.outerHTML.slice(0, 120));
  });
}

/** What the issue asks of the webmail beyond its features: the rest of the shortcuts, a light page, accessible markup. */
describe('fit and finish, in chromium', () => {
  let browser: Browser;
  let store: MailStore;
  let ann: string;
  let bob: string;
  let cat: string;
  const domain = uniqueDomain('finish');

  beforeAll(async () => {
    store = await openTestStore();
    [ann, bob, cat] = (await createUsers(store, domain, ['ann', 'bob', 'cat'])) as [string, string, string];
    await deliverMail({ from: bob, to: ann }, { from: bob, to: [ann, cat], subject: 'Older: to Ann and Cat', text: 'For both of you.' });
    await waitForMail(store, ann, (m) => m.subject === 'Older: to Ann and Cat');
    await deliverMail({ from: bob, to: ann }, { from: bob, to: ann, subject: 'Newer: to Ann', text: 'Just you.', html: '<p>Just <b>you</b>.</p>' });
    await waitForMail(store, ann, (m) => m.subject === 'Newer: to Ann');
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await store?.close();
  });

  it('k moves up the list, a answers everyone, # deletes the message under the cursor', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, ann);
    const focused = () => page.locator('li[data-row].focused .subject').textContent();
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    expect(await focused()).toBe('Older: to Ann and Cat');
    await page.keyboard.press('k');
    expect(await focused()).toBe('Newer: to Ann');
    await page.keyboard.press('j');

    await page.keyboard.press('Enter');
    await page.waitForURL(/\/messages\/\d+$/);
    await page.keyboard.press('a');
    await page.waitForURL(/\/compose\?replyAll=\d+/);
    const everyone = `${await page.getByLabel('To', { exact: true }).inputValue()}, ${await page.getByLabel('Cc', { exact: true }).inputValue()}`;
    expect(everyone).toContain(bob);
    expect(everyone).toContain(cat);
    expect(everyone).not.toContain(ann);

    await page.goto(webUrl('/mail/inbox'));
    await page.keyboard.press('j');
    expect(await focused()).toBe('Newer: to Ann');
    await page.keyboard.press('#');
    await expect.poll(() => page.locator('li[data-row] .subject').allTextContents()).toEqual(['Older: to Ann and Cat']);
    await waitForMail(store, ann, (m) => m.subject === 'Newer: to Ann', FOLDERS.trash);
    await context.close();
  });

  it('a page is one document, one stylesheet and one script, small enough for a slow link, and nothing from elsewhere', async () => {
    const context = await browser.newContext();
    // Routed, the context has no HTTP cache: every page is weighed as on a first visit.
    const remote = await trackRemoteRequests(context);
    const page = await context.newPage();
    await signIn(page, ann);
    for (const path of ['/mail/inbox', '/compose', '/settings']) {
      const loaded: { url: string; bytes: number }[] = [];
      const onResponse = async (response: { url(): string; body(): Promise<Buffer> }) => {
        loaded.push({ url: response.url(), bytes: (await response.body().catch(() => Buffer.alloc(0))).length });
      };
      page.on('response', onResponse);
      await page.goto(webUrl(path), { waitUntil: 'load' });
      await page.waitForLoadState('networkidle');
      page.off('response', onResponse);
      const kinds = loaded.map((r) => new URL(r.url).pathname.replace(/^\/static\/.*\.(css|js)$/, 'static.$1'));
      expect(kinds.filter((k) => k.startsWith('static.')).sort(), path).toEqual(['static.css', 'static.js']);
      expect(loaded.length, `${path}: ${kinds.join(' ')}`).toBeLessThanOrEqual(4); // + a favicon at most
      // Uncompressed: 50 KB is about one second at 400 kbit/s.
      expect(loaded.reduce((sum, r) => sum + r.bytes, 0), path).toBeLessThan(50_000);
    }
    expect(remote.urls).toEqual([]);
    await context.close();
  });

  it('every control on the main pages has an accessible name, and the pages have their landmarks', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(webUrl('/login'));
    expect(await unnamedControls(page), 'login').toEqual([]);
    await signIn(page, ann);
    const message = await waitForMail(store, ann, (m) => m.subject === 'Older: to Ann and Cat');
    for (const path of ['/mail/inbox', `/messages/${message.id}`, '/compose', '/settings']) {
      await page.goto(webUrl(path));
      expect(await unnamedControls(page), path).toEqual([]);
      expect(await page.locator('html').getAttribute('lang'), path).toBe('en');
      expect(await page.getByRole('main').count(), path).toBe(1);
      expect(await page.getByRole('navigation', { name: 'Folders' }).count(), path).toBe(1);
      expect(await page.locator('img:not([alt])').count(), path).toBe(0);
    }
    await context.close();
  });
});
