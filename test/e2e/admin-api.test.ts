import type { MailStore } from '@mailcluster/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAdmin } from '../support/admin.ts';
import { createUsers, openTestStore, stack, uniqueDomain } from '../support/stack.ts';
import { apiSignIn } from '../support/webmail.ts';

const ADMIN_PASSWORD = 'admin secret for the api test';

/** The admin REST API of the stack's web pod (issue 8): authentication, each action and its refusals. */
describe('admin API', () => {
  let store: MailStore;
  const domain = uniqueDomain('api');
  const at = (local: string) => `${local}@${domain}`;
  const boss = `boss-${domain.slice(4, 12)}`;
  const viewer = `view-${domain.slice(4, 12)}`;
  let token = '';
  let viewerToken = '';
  const origin = new URL(stack().webUrl).origin;

  const call = (path: string, init: { method?: string; body?: unknown; token?: string | null; headers?: Record<string, string> } = {}) =>
    fetch(`${stack().webUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.token === null ? {} : { authorization: `Bearer ${init.token ?? token}` }),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      redirect: 'manual',
    });
  const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;

  beforeAll(async () => {
    store = await openTestStore();
    await createUsers(store, domain, ['mail-user']);
    const admin = testAdmin(store);
    await admin.admins.create(boss, ADMIN_PASSWORD, 'admin');
    await admin.admins.create(viewer, ADMIN_PASSWORD, 'viewer');
    token = (await admin.admins.createToken(boss, { label: 'api test' })).token;
    viewerToken = (await admin.admins.createToken(viewer, {})).token;
  });

  afterAll(async () => {
    await testAdmin(store).domains.remove(domain, { force: true });
    await store?.close();
  });

  it('answers 401 without a token or admin session, for a bad or revoked token, and for a mail user’s session', async () => {
    expect((await call('/api/admin/users', { token: null })).status).toBe(401);
    expect(await errorCode(await call('/api/admin/users', { token: 'mca_000000000000_' + 'x'.repeat(43) }))).toBe('ADMIN_ERR_NOT_SIGNED_IN');
    const mailUser = await apiSignIn(at('mail-user'));
    expect((await mailUser.fetch('/api/admin/users')).status).toBe(401);
    const { id, token: doomed } = await testAdmin(store).admins.createToken(boss, {});
    expect((await call('/api/admin/domains', { token: doomed })).status).toBe(200);
    await testAdmin(store).admins.revokeToken(id);
    expect((await call('/api/admin/domains', { token: doomed })).status).toBe(401);
  });

  it('answers 403 to a viewer asking for a change, and records the refusal', async () => {
    expect((await call('/api/admin/domains', { token: viewerToken })).status).toBe(200);
    const refused = await call('/api/admin/domains', { method: 'POST', body: { name: `x-${domain}` }, token: viewerToken });
    expect(refused.status).toBe(403);
    expect(await errorCode(refused)).toBe('ADMIN_ERR_FORBIDDEN');
    const audit = (await (await call(`/api/admin/audit?target=${encodeURIComponent(`x-${domain}`)}`)).json()) as { entries: { outcome: string; actor: string }[] };
    expect(audit.entries[0]).toMatchObject({ outcome: 'ADMIN_ERR_FORBIDDEN', actor: expect.stringMatching(new RegExp(`^token:[0-9a-f]{12}\\(${viewer}\\)$`)) });
  });

  it('signs admins in with a throttled session, which needs the CSRF token for changes', async () => {
    const bad = await call('/api/admin/session', { method: 'POST', body: { name: boss, password: 'wrong password!' }, token: null, headers: { origin } });
    expect(bad.status).toBe(401);
    const signedIn = await call('/api/admin/session', { method: 'POST', body: { name: boss, password: ADMIN_PASSWORD }, token: null, headers: { origin } });
    expect(signedIn.status).toBe(201);
    const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect(cookie).toMatch(/^__Host-mc-admin=0\./);
    const { csrfToken } = (await signedIn.json()) as { csrfToken: string };
    const withSession = { token: null, headers: { cookie, origin } };
    expect((await call('/api/admin/users?limit=1', withSession)).status).toBe(200);
    const noCsrf = await call('/api/admin/domains', { ...withSession, method: 'POST', body: { name: `y-${domain}` } });
    expect(noCsrf.status).toBe(403);
    expect(await errorCode(noCsrf)).toBe('WEB_ERR_CSRF');
    const created = await call('/api/admin/tokens', { method: 'POST', body: { label: 'made in a session', role: 'viewer' }, token: null, headers: { cookie, origin, 'x-csrf-token': csrfToken } });
    expect(created.status).toBe(201);
    expect((await call('/api/admin/tokens', { method: 'POST', body: {} })).status).toBe(403); // not with a token
    // The admin cookie is not a webmail session either.
    expect((await fetch(`${stack().webUrl}/api/folders`, { headers: { cookie } })).status).toBe(401);
    for (let i = 0; i < 5; i++) await call('/api/admin/session', { method: 'POST', body: { name: viewer, password: 'wrong password!' }, token: null, headers: { origin } });
    const locked = await call('/api/admin/session', { method: 'POST', body: { name: viewer, password: ADMIN_PASSWORD }, token: null, headers: { origin } });
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('creates, finds, changes and deletes users, with the documented refusals', async () => {
    const create = (body: unknown) => call('/api/admin/users', { method: 'POST', body });
    const made = await create({ address: at('Jo'), password: 'a long enough secret', displayName: 'Jo Smith', quota: '100M' });
    expect(made.status).toBe(201);
    const body = await made.text();
    expect(JSON.parse(body)).toMatchObject({ address: at('jo'), displayName: 'Jo Smith', quotaBytes: 100 * 1024 ** 2, usedBytes: 0, disabled: false });
    expect(body).not.toContain('argon2');
    for (const [body, status, code] of [
      [{ address: at('jo'), password: 'a long enough secret' }, 409, 'ADMIN_ERR_DUPLICATE_USER'],
      [{ address: 'x@unknown-domain.test', password: 'a long enough secret' }, 404, 'ADMIN_ERR_UNKNOWN_DOMAIN'],
      [{ address: 'not an address', password: 'a long enough secret' }, 400, 'ADMIN_ERR_BAD_ADDRESS'],
      [{ address: at('kim'), password: 'short' }, 400, 'ADMIN_ERR_WEAK_PASSWORD'],
      [{ address: at('kim'), password: 'a long enough secret', quota: 'lots' }, 400, 'ADMIN_ERR_BAD_QUOTA'],
      [{ address: at('kim') }, 400, 'ADMIN_ERR_BAD_REQUEST'],
    ] as const) {
      const response = await create(body);
      expect([response.status, await errorCode(response)], JSON.stringify(body)).toEqual([status, code]);
    }
    const found = (await (await call(`/api/admin/users?domain=${domain}&search=jo`)).json()) as { users: { address: string }[] };
    expect(found.users.map((u) => u.address)).toEqual([at('jo')]);
    const changed = await call(`/api/admin/users/${at('jo')}`, { method: 'PATCH', body: { quota: 5_000_000, disabled: true, forwardTo: [at('mail-user')] } });
    expect(await changed.json()).toMatchObject({ quotaBytes: 5_000_000, disabled: true, forwardTo: [at('mail-user')], keepForwardedCopy: true });
    const external = await call(`/api/admin/users/${at('jo')}`, { method: 'PATCH', body: { forwardTo: ['someone@elsewhere.example'] } });
    expect([external.status, await errorCode(external)]).toEqual([422, 'ADMIN_ERR_EXTERNAL_FORWARD']);
    expect((await call(`/api/admin/users/${at('jo')}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/api/admin/users/${at('jo')}`)).status).toBe(404);
  });

  it('manages domains and aliases', async () => {
    const extra = `extra-${domain}`;
    expect((await call('/api/admin/domains', { method: 'POST', body: { name: extra, defaultQuota: '1G' } })).status).toBe(201);
    expect(await (await call(`/api/admin/domains/${extra}`, { method: 'PATCH', body: { catchAll: at('mail-user') } })).json()).toEqual({ name: extra, defaultQuotaBytes: 1024 ** 3, catchAll: at('mail-user') });
    const alias = await call('/api/admin/aliases', { method: 'POST', body: { address: at('help'), targets: [at('mail-user')] } });
    expect(await alias.json()).toEqual({ address: at('help'), targets: [at('mail-user')] });
    expect(await errorCode(await call('/api/admin/aliases', { method: 'POST', body: { address: at('mail-user'), targets: [at('mail-user')] } }))).toBe('ADMIN_ERR_ADDRESS_TAKEN');
    expect(((await (await call(`/api/admin/aliases?domain=${domain}`)).json()) as { aliases: unknown[] }).aliases).toEqual([{ address: at('help'), targets: [at('mail-user')] }]);
    expect((await call(`/api/admin/aliases/${at('help')}`, { method: 'DELETE' })).status).toBe(204);
    const busy = await call(`/api/admin/domains/${domain}`, { method: 'DELETE' });
    expect([busy.status, await errorCode(busy)]).toEqual([409, 'ADMIN_ERR_DOMAIN_HAS_USERS']);
    expect(await (await call(`/api/admin/domains/${extra}`, { method: 'DELETE' })).json()).toEqual({ users: 0 });
  });

  it('imports and exports the user CSV', async () => {
    const csv = `address,password,quota,name\r\n${at('imp1')},a long enough secret,1M,One\r\nbroken line\r\n${at('imp2')},a long enough secret,,Two\r\n`;
    const imported = await fetch(`${stack().webUrl}/api/admin/users/import`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, body: csv });
    expect(await imported.json()).toMatchObject({ lines: 3, created: 2, existing: 0, rejected: 1, rejections: [{ line: 3, code: 'ADMIN_ERR_BAD_ADDRESS' }] });
    const exported = await call(`/api/admin/users/export?domain=${domain}`);
    expect(exported.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await exported.text()).trim().split('\r\n');
    expect(lines[0]).toBe('address,password,quota,name');
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual([at('imp1'), at('imp2'), at('mail-user')]);
    expect((await call(`/api/admin/users/export?domain=${domain}`, { token: viewerToken })).status).toBe(403);
  });
});
