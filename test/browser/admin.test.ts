import type { MailStore } from '@mailcluster/store';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAdmin } from '../support/admin.ts';
import { createUsers, openTestStore, uniqueDomain } from '../support/stack.ts';
import { launchChromium, webUrl } from '../support/webmail.ts';

/** The admin pages in chromium (issue 8): sign in as an admin, find a user, change the quota, see it audited. */
describe('admin pages', () => {
  let store: MailStore;
  let browser: Browser;
  const domain = uniqueDomain('adminui');
  const admin = `ui-${domain.slice(8, 16)}`;
  const password = 'admin pages password';

  beforeAll(async () => {
    store = await openTestStore();
    await createUsers(store, domain, ['quinn', 'quentin', 'rita']);
    await testAdmin(store).admins.create(admin, password, 'admin');
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await testAdmin(store).domains.remove(domain, { force: true });
    await store?.close();
  });

  it('signs in, finds a user, changes the quota and shows the audit entry', async () => {
    const page = await browser.newPage();
    await page.goto(webUrl('/admin/users'));
    await page.waitForURL(/\/admin\/login/);
    await page.getByLabel('Admin name').fill(admin);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/admin\/users$/);

    await page.getByLabel('Find users').fill(`quinn@${domain}`);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.getByRole('link', { name: `quinn@${domain}` }).count()).toBe(1);
    expect(await page.getByRole('link', { name: `quentin@${domain}` }).count()).toBe(0);
    await page.getByRole('link', { name: `quinn@${domain}` }).click();

    await page.getByLabel('Quota', { exact: true }).fill('250M');
    await page.getByRole('button', { name: 'Set quota' }).click();
    await page.waitForURL(/done=quota/);
    expect(await page.getByRole('status').textContent()).toBe('Quota changed.');
    expect(await page.locator('#storage').textContent()).toBe('0 B of 250.0 MB');
    const entry = page.locator('table.audit tbody tr').first();
    expect(await entry.locator('td').allTextContents()).toEqual([expect.any(String), `admin:${admin}`, 'user.set-quota', `quinn@${domain}`, 'ok', '{"quota":"250M"}']);

    // A refusal is shown on the page, and audited too.
    await page.getByLabel('Quota', { exact: true }).fill('lots');
    await page.getByRole('button', { name: 'Set quota' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('not a quota');
    await page.goto(webUrl(`/admin/audit?target=${encodeURIComponent(`quinn@${domain}`)}`));
    expect(await page.locator('table.audit tbody tr').first().locator('td').nth(4).textContent()).toBe('ADMIN_ERR_BAD_QUOTA');
    expect((await testAdmin(store).users.get(`quinn@${domain}`)).quotaBytes).toBe(250 * 1024 ** 2);
  });
});
