import { type MailStore, updateUser } from '@mailcluster/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUsers, openTestStore, uniqueDomain } from '../support/stack.ts';
import { type ApiSession, apiSignIn, deliverMail, waitForMail } from '../support/webmail.ts';

/** What a user sets and what every page shows around the mail: name, signature, page size, quota. */
describe('account settings on every page', () => {
  let store: MailStore;
  let ann: ApiSession;
  let address: string;
  const domain = uniqueDomain('settings');
  const MAILS = 26;

  beforeAll(async () => {
    store = await openTestStore();
    [address] = (await createUsers(store, domain, ['ann'])) as [string];
    for (let i = 1; i <= MAILS; i++) await deliverMail({ from: 'x@outside.test', to: address }, { subject: `mail ${i}`, text: `body ${i}` });
    await waitForMail(store, address, (m) => m.subject === `mail ${MAILS}`);
    ann = await apiSignIn(address);
  });

  afterAll(async () => {
    await store?.close();
  });

  const inboxPage = async () => {
    const response = await ann.fetch('/mail/inbox');
    expect(response.status).toBe(200);
    return response.text();
  };
  const rows = (page: string) => page.match(/data-row /g)?.length ?? 0;

  it('starts from the defaults: no name (the address shown), 50 a page, quota use without a limit', async () => {
    expect(await (await ann.fetch('/api/settings')).json()).toEqual({ address, displayName: '', signature: '', pageSize: 50 });
    const page = await inboxPage();
    expect(page).toContain(`title="${address}">${address}</a>`);
    expect(rows(page)).toBe(MAILS);
    expect(page).toMatch(/<div class="quota"[^>]*>\s*<span>[\d.]+ KB used<\/span>/);
  });

  it('keeps what the user saves and shows it on the next page: name, signature, page size', async () => {
    const saved = await ann.fetch('/api/settings', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ displayName: 'Ann Example', signature: 'Ann\n-- \nExample', pageSize: 25 }) });
    expect(saved.status).toBe(204);
    expect(await (await ann.fetch('/api/settings')).json()).toEqual({ address, displayName: 'Ann Example', signature: 'Ann\n-- \nExample', pageSize: 25 });
    const page = await inboxPage();
    expect(page).toContain(`title="${address}">Ann Example</a>`);
    expect(rows(page)).toBe(25);
    expect((await (await ann.fetch('/compose')).text())).toContain('Ann\n-- \nExample');
  });

  it('shows the quota limit an admin sets, as a meter', async () => {
    expect(await updateUser(store.homePool(address), address, { quotaBytes: 10 * 1024 * 1024 })).toBe(true);
    // The web tier reads the user row per page: no cache to wait for.
    expect(await inboxPage()).toMatch(/<meter min="0" max="100" value="\d+"[^>]*>\d+%<\/meter>\s*<span>[\d.]+ KB of 10\.0 MB used<\/span>/);
  });
});
