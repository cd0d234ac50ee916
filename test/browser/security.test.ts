import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FOLDERS, type MailStore, getMessage } from '@mailcluster/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeProcess } from '../support/node-process.ts';
import { createUsers, homeDbOf, openTestStore, uniqueDomain } from '../support/stack.ts';
import { PASSWORD, apiSignIn, deliverMail, launchChromium, sessionFor, signIn, startWebPod, waitForMail, webUrl } from '../support/webmail.ts';

/** Checklist C5–C8: other users' ids, sessions and cookies, CSRF, sign-in throttling. */
describe('webmail security over HTTP', () => {
  let store: MailStore;
  let podB: { url: string; pod: NodeProcess };
  const domain = uniqueDomain('sec');
  let users: Record<'ann' | 'anna' | 'zed' | 'tim' | 'tina' | 'pat', string>;

  beforeAll(async () => {
    store = await openTestStore();
    const created = await createUsers(store, domain, ['ann', 'anna', 'zed', 'tim', 'tina', 'pat']);
    const [ann, anna, zed, tim, tina, pat] = created as [string, string, string, string, string, string];
    users = { ann, anna, zed, tim, tina, pat };
    // A second web pod, trusting X-Forwarded-For so the IP throttle can be tried from test addresses.
    podB = await startWebPod({ MAILCLUSTER_TRUST_PROXY: 'true', MAILCLUSTER_LOGIN_IP_FAILURES: '5' });
  });

  afterAll(async () => {
    podB?.pod.signal('SIGTERM');
    await podB?.pod.exited;
    await store?.close();
  });

  it('another user’s message and attachment ids are 404, in the same shard table and in another one', async () => {
    // anna shares ann's table (prefix "an"); zed's mail is in another table, here on another db too.
    expect(users.anna.slice(0, 2)).toBe(users.ann.slice(0, 2));
    for (const victim of [users.anna, users.zed]) {
      await deliverMail({ from: 'x@outside.test', to: victim }, {
        subject: `private to ${victim}`,
        text: 'secret',
        html: '<p>secret</p>',
        attachments: [{ filename: 'secret.txt', content: 'secret' }],
      });
    }
    const victims = [
      await waitForMail(store, users.anna, (m) => m.subject === `private to ${users.anna}`),
      await waitForMail(store, users.zed, (m) => m.subject === `private to ${users.zed}`),
    ];
    const ann = await apiSignIn(users.ann);
    const missing = await (await ann.fetch('/api/messages/999999999999')).json();
    for (const { id } of victims) {
      for (const path of [`/api/messages/${id}`, `/api/messages/${id}/attachments/0`, `/api/messages/${id}/raw`, `/api/messages/${id}/html`, `/api/messages/${id}/thread`, `/api/compose?forward=${id}`]) {
        const response = await ann.fetch(path);
        expect(response.status, path).toBe(404);
        expect(await response.json(), path).toEqual(missing);
      }
      for (const path of [`/messages/${id}`, `/messages/${id}/thread`, `/compose?reply=${id}`]) expect((await ann.fetch(path)).status, path).toBe(404);
      const acted = await ann.fetch('/api/messages/actions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ids: [String(id)], action: 'delete' }) });
      expect(await acted.json()).toEqual({ changed: 0 });
      const keep = await ann.fetch('/api/drafts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: users.ann, keep: [`${id}:0`] }) });
      expect(keep.status).toBe(404);
      expect((await ann.fetch(`/api/messages/${id}/remote-content`, { method: 'POST' })).status).toBe(404);
    }
    // The victims' mail is untouched: still in their Inbox, still unread.
    for (const [i, victim] of [users.anna, users.zed].entries()) {
      const row = await getMessage(store.homePool(victim), victim, victims[i]!.id);
      expect(row).toMatchObject({ folder: FOLDERS.inbox, seen: false });
    }
  });

  it('CSRF: a state change without the token, with a wrong one, or from a foreign origin is 403 and changes nothing', async () => {
    await deliverMail({ from: 'x@outside.test', to: users.pat }, { subject: 'csrf target', text: 'keep me' });
    const target = await waitForMail(store, users.pat, (m) => m.subject === 'csrf target');
    const pat = await apiSignIn(users.pat);
    const body = JSON.stringify({ ids: [String(target.id)], action: 'delete' });
    const json = { 'content-type': 'application/json' };
    const attempts: [string, Response][] = [
      ['no token', await pat.fetch('/api/messages/actions', { method: 'POST', headers: json, body, csrf: false })],
      ['wrong token', await sessionFor(pat.cookie, randomBytes(32).toString('base64url')).fetch('/api/messages/actions', { method: 'POST', headers: json, body })],
      ['foreign origin', await pat.fetch('/api/messages/actions', { method: 'POST', headers: json, body, origin: 'http://evil.test' })],
      ['null origin', await pat.fetch('/api/messages/actions', { method: 'POST', headers: json, body, origin: 'null' })],
      ['cross-site fetch', await pat.fetch('/api/messages/actions', { method: 'POST', headers: { ...json, 'sec-fetch-site': 'cross-site' }, body, origin: null })],
      ['form without token', await pat.fetch('/messages/actions', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `ids=${target.id}&action=delete`, csrf: false })],
      ['foreign sign-out', await pat.fetch('/logout', { method: 'POST', origin: 'http://evil.test', csrf: false })],
    ];
    for (const [what, response] of attempts) expect(response.status, what).toBe(403);
    expect((await attempts[0]![1].json()) as unknown).toMatchObject({ error: { code: 'WEB_ERR_CSRF' } });
    expect((await attempts[2]![1].json()) as unknown).toMatchObject({ error: { code: 'WEB_ERR_FOREIGN_ORIGIN' } });
    expect(await getMessage(store.homePool(users.pat), users.pat, target.id)).toMatchObject({ folder: FOLDERS.inbox });
    // With the token and our origin, the same request works.
    expect(await (await pat.fetch('/api/messages/actions', { method: 'POST', headers: json, body })).json()).toEqual({ changed: 1 });
  });

  it('a cross-site form in chromium is refused (the session cookie alone is not enough)', async () => {
    await deliverMail({ from: 'x@outside.test', to: users.pat }, { subject: 'cross-site target', text: 'keep me' });
    const target = await waitForMail(store, users.pat, (m) => m.subject === 'cross-site target');
    const evil: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<form id="f" method="post" action="${webUrl('/messages/actions')}"><input name="ids" value="${target.id}"><input name="action" value="delete"><input name="back" value="/mail/inbox"></form><script>document.getElementById('f').submit()</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await signIn(page, users.pat);
      const refused = page.waitForResponse((r) => r.url() === webUrl('/messages/actions'));
      await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
      expect((await refused).status()).toBe(403);
      expect(await page.locator('code').textContent()).toBe('WEB_ERR_FOREIGN_ORIGIN');
    } finally {
      await browser.close();
      evil.close();
    }
    expect(await getMessage(store.homePool(users.pat), users.pat, target.id)).toMatchObject({ folder: FOLDERS.inbox });
  });

  it('the session cookie is __Host-, Secure, HttpOnly, SameSite=Strict, new at every sign-in, and sign-out ends it on every pod', async () => {
    const planted = `${homeDbOf(users.ann)}.${randomBytes(32).toString('base64url')}`;
    const response = await fetch(webUrl('/api/session'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: new URL(webUrl()).origin, cookie: `__Host-mc-session=${planted}` },
      body: JSON.stringify({ address: users.ann, password: PASSWORD }),
    });
    expect(response.status).toBe(201);
    const setCookie = response.headers.get('set-cookie') ?? '';
    const [pair, ...attributes] = setCookie.split(/;\s*/);
    expect(pair).toMatch(/^__Host-mc-session=\d+\.[A-Za-z0-9_-]{43}$/);
    expect(pair).not.toContain(planted);
    expect(attributes).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'Secure', 'SameSite=Strict']));
    expect(attributes.some((a) => /^domain=/i.test(a))).toBe(false);
    const { csrfToken } = (await response.json()) as { csrfToken: string };
    const onA = sessionFor(pair!, csrfToken);
    const onB = sessionFor(pair!, csrfToken, podB.url);

    // Any pod serves the session; signing out on one ends it on the other at once.
    expect((await onB.fetch('/api/session')).status).toBe(200);
    const second = await apiSignIn(users.ann);
    expect(second.cookie).not.toBe(pair);
    expect((await onA.fetch('/api/session', { method: 'DELETE' })).status).toBe(204);
    expect((await onB.fetch('/api/session')).status).toBe(401);
    expect((await onA.fetch('/mail/inbox')).headers.get('location')).toMatch(/^\/login\?next=/);
    // A second sign-in is its own session and lives on.
    expect((await second.fetch('/api/session')).status).toBe(200);
  });

  it('a password change ends every other session and rotates the current one', async () => {
    const one = await apiSignIn(users.tim);
    const two = await apiSignIn(users.tim);
    const change = await one.fetch('/api/settings/password', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ current: PASSWORD, next: 'a brand new secret', confirm: 'a brand new secret' }),
    });
    expect(change.status).toBe(204);
    const rotated = (change.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect((await two.fetch('/api/session')).status).toBe(401);
    expect((await one.fetch('/api/session')).status).toBe(401);
    expect((await sessionFor(rotated, '').fetch('/api/session')).status).toBe(200);
    await apiSignIn(users.tim, 'a brand new secret');
  });

  /** A sign-in on pod B from a documentation-range IP (X-Forwarded-For), never counted against 127.0.0.1. */
  async function attempt(address: string, password: string, ip: string): Promise<{ status: number; body: string; ms: number }> {
    const start = performance.now();
    const response = await fetch(`${podB.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: new URL(webUrl()).origin, 'x-forwarded-for': ip },
      body: JSON.stringify({ address, password }),
    });
    return { status: response.status, body: await response.text(), ms: performance.now() - start };
  }

  /** A fresh address of the IPv6 documentation range per call, so runs never share a throttle row. */
  const testIp = () => `2001:db8:${randomBytes(6).toString('hex').replace(/(.{4})(?!$)/g, '$1:')}::1`;

  it('an unknown user and a wrong password get the same answer after the same work', async () => {
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) {
      const a = await attempt(users.pat, 'not the password', testIp());
      const b = await attempt(`nobody-${i}@${domain}`, 'not the password', testIp());
      expect(a.status).toBe(401);
      expect(b.body).toBe(a.body);
      expect(b.status).toBe(a.status);
      wrong.push(a.ms);
      unknown.push(b.ms);
    }
    const median = (values: number[]) => [...values].sort((x, y) => x - y)[1]!;
    // Both verify one argon2id hash (a dummy one for the unknown user): within a factor of two.
    expect(median(unknown) / median(wrong)).toBeGreaterThan(0.5);
    expect(median(unknown) / median(wrong)).toBeLessThan(2);
  });

  it('throttles sign-in per account (whatever the IP, even with the right password) and per IP', async () => {
    for (let i = 0; i < 5; i++) expect((await attempt(users.tina, `wrong ${i}`, testIp())).status).toBe(401);
    const locked = await attempt(users.tina, PASSWORD, testIp());
    expect(locked.status).toBe(429);
    expect(JSON.parse(locked.body)).toMatchObject({ error: { code: 'WEB_ERR_THROTTLED' } });
    // An unknown address is locked the same way: the answer does not tell whether an account exists.
    const ghost = `ghost-${randomBytes(3).toString('hex')}@${domain}`;
    for (let i = 0; i < 5; i++) await attempt(ghost, `wrong ${i}`, testIp());
    expect((await attempt(ghost, 'anything', testIp())).body).toBe(locked.body);

    // Spraying from one IP across accounts: that IP is refused, another is not.
    const sprayer = testIp();
    for (let i = 0; i < 5; i++) expect((await attempt(`spray-${i}@${domain}`, 'guess', sprayer)).status).toBe(401);
    expect((await attempt(users.zed, PASSWORD, sprayer)).status).toBe(429);
    expect((await attempt(users.zed, PASSWORD, testIp())).status).toBe(201);
  });
});
