import { PASSWORD_HASH_PARAMS, needsRehash } from '@mailcluster/admin';
import { type MailStore, findUser, updateUser } from '@mailcluster/store';
import { hash } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAdmin } from '../support/admin.ts';
import { createUsers, openTestStore, stack, uniqueDomain } from '../support/stack.ts';
import { PASSWORD, apiSignIn, deliverMail, waitForMail } from '../support/webmail.ts';

/** Web routes that only a real stack shows: downloads as served, rehash on sign-in, the admin API's password reset (issues 5 and 8). */
describe('web routes against the stack', () => {
  let store: MailStore;
  const domain = uniqueDomain('routes');
  let users: Record<'ann' | 'ria' | 'pia', string>;

  beforeAll(async () => {
    store = await openTestStore();
    const [ann, ria, pia] = (await createUsers(store, domain, ['ann', 'ria', 'pia'])) as [string, string, string];
    users = { ann, ria, pia };
  });

  afterAll(async () => {
    await testAdmin(store).domains.remove(domain, { force: true });
    await store?.close();
  });

  it('serves attachments as downloads: attachment disposition with a clean name, nosniff, active types as octet-stream', async () => {
    const files = [
      { filename: 'page.html', content: '<script>alert(document.cookie)</script>', contentType: 'text/html' },
      { filename: 'logo.svg', content: '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', contentType: 'image/svg+xml' },
      { filename: 'report.pdf', content: '%PDF-1.7 not really', contentType: 'application/pdf' },
      { filename: 'notes.txt', content: 'plain notes', contentType: 'text/plain' },
      { filename: '../../etc/\u202egpj.exe', content: 'MZ', contentType: 'application/x-msdownload' },
    ];
    await deliverMail({ from: 'x@outside.test', to: users.ann }, { subject: 'files', text: 'see attached', attachments: files });
    const { id } = await waitForMail(store, users.ann, (m) => m.subject === 'files');
    const ann = await apiSignIn(users.ann);
    const listed = ((await (await ann.fetch(`/api/messages/${id}`)).json()) as { attachments: { index: number; filename: string }[] }).attachments;
    expect(listed.map((a) => a.filename)).toEqual(['page.html', 'logo.svg', 'report.pdf', 'notes.txt', '_.._etc__gpj.exe']);

    const expected = [
      ['attachment; filename="page.html"; filename*=UTF-8\'\'page.html', 'application/octet-stream'],
      ['attachment; filename="logo.svg"; filename*=UTF-8\'\'logo.svg', 'application/octet-stream'],
      ['attachment; filename="report.pdf"; filename*=UTF-8\'\'report.pdf', 'application/pdf'],
      ['attachment; filename="notes.txt"; filename*=UTF-8\'\'notes.txt', 'text/plain; charset=utf-8'],
      ['attachment; filename="_.._etc__gpj.exe"; filename*=UTF-8\'\'_.._etc__gpj.exe', 'application/octet-stream'],
    ];
    for (const [i, file] of files.entries()) {
      const response = await ann.fetch(`/api/messages/${id}/attachments/${listed[i]?.index}`);
      expect(response.status, file.filename).toBe(200);
      const [disposition, type] = expected[i] as [string, string];
      expect(response.headers.get('content-disposition'), file.filename).toBe(disposition);
      expect(response.headers.get('content-type'), file.filename).toBe(type);
      expect(response.headers.get('x-content-type-options'), file.filename).toBe('nosniff');
      expect(response.headers.get('content-security-policy'), file.filename).toBe("default-src 'none'; sandbox");
      expect(await response.text(), file.filename).toBe(file.content);
    }
    expect((await ann.fetch(`/api/messages/${id}/attachments/${files.length}`)).status).toBe(404);
  });

  it('rehashes a password stored with weaker argon2id parameters at sign-in, and the new hash still signs in', async () => {
    const weak = await hash(PASSWORD, { memoryCost: 8_192, timeCost: 1, parallelism: 1 });
    expect(weak).toMatch(/^\$argon2id\$v=19\$m=8192,t=1,p=1\$/);
    expect(await updateUser(store.homePool(users.ria), users.ria, { passwordHash: weak })).toBe(true);
    await apiSignIn(users.ria);
    const stored = (await findUser(store.homePool(users.ria), users.ria))?.passwordHash ?? '';
    const { memoryCost: m, timeCost: t, parallelism: p } = PASSWORD_HASH_PARAMS;
    expect(stored).toMatch(new RegExp(`^\\$argon2id\\$v=19\\$m=${m},t=${t},p=${p}\\$`));
    expect(needsRehash(stored)).toBe(false);
    await apiSignIn(users.ria);
    // A current hash is left as it is.
    expect((await findUser(store.homePool(users.ria), users.ria))?.passwordHash).toBe(stored);
  });

  it('resets a password through the admin API: the old sessions end, the new password signs in', async () => {
    const admin = testAdmin(store);
    const name = `reset-${domain.slice(7, 15)}`;
    await admin.admins.create(name, 'admin secret for the reset test', 'admin');
    try {
      const { token } = await admin.admins.createToken(name, { label: 'web-routes test' });
      const before = await apiSignIn(users.pia);
      const reset = await fetch(`${stack().webUrl}/api/admin/users/${users.pia}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ password: 'a brand new passphrase' }),
      });
      expect(reset.status).toBe(200);
      expect((await before.fetch('/api/folders')).status).toBe(401);
      const after = await apiSignIn(users.pia, 'a brand new passphrase');
      expect((await after.fetch('/api/folders')).status).toBe(200);
      const old = await fetch(`${stack().webUrl}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: new URL(stack().webUrl).origin },
        body: JSON.stringify({ address: users.pia, password: PASSWORD }),
      });
      expect(old.status).toBe(401);
    } finally {
      await admin.admins.remove(name);
    }
  });
});
