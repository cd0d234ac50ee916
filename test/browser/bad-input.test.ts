import { randomBytes } from 'node:crypto';
import { MAX_USER_FOLDERS, type MailStore } from '@mailcluster/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUsers, openTestStore, uniqueDomain } from '../support/stack.ts';
import { type ApiSession, apiSignIn, deliverMail, sessionFor, startWebPod, waitForMail } from '../support/webmail.ts';

/** Malformed ids, absurd pages, oversized uploads, unknown folders, injected headers: a clear 4xx, never a 5xx. */
describe('bad input to the webmail', () => {
  let store: MailStore;
  let ann: ApiSession;
  let annAddress: string;
  let bobAddress: string;
  let own: number;
  const domain = uniqueDomain('bad');
  const statuses: number[] = [];

  async function expectError(response: Response, status: number, code?: string): Promise<void> {
    statuses.push(response.status);
    expect(response.status, response.url).toBe(status);
    if (code !== undefined && (response.headers.get('content-type') ?? '').includes('json')) {
      expect(await response.json()).toMatchObject({ error: { code } });
    } else if (code !== undefined) {
      expect(await response.text()).toContain(code);
    }
  }

  const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  function upload(files: { name: string; size: number }[], fields: Record<string, string> = { to: 'x@y.test', action: 'save' }): RequestInit {
    const form = new FormData();
    for (const [key, value] of Object.entries(fields)) form.append(key, value);
    for (const file of files) form.append('files', new Blob([new Uint8Array(file.size)]), file.name);
    return { method: 'POST', body: form };
  }

  beforeAll(async () => {
    store = await openTestStore();
    [annAddress, bobAddress] = (await createUsers(store, domain, ['ann', 'bob'])) as [string, string];
    await deliverMail({ from: 'x@outside.test', to: annAddress }, { subject: 'own', text: 'own', attachments: [{ filename: 'a.txt', content: 'a' }] });
    own = (await waitForMail(store, annAddress, (m) => m.subject === 'own')).id;
    ann = await apiSignIn(annAddress);
  });

  afterAll(async () => {
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    await store?.close();
  });

  it.each(['abc', '0', '-1', '1e3', '1.5', '99999999999999999999', '%00', '%27%20OR%201%3D1', '9'.repeat(40)])('message id %j is 404', async (id) => {
    await expectError(await ann.fetch(`/api/messages/${id}`), 404, 'WEB_ERR_NOT_FOUND');
    await expectError(await ann.fetch(`/messages/${id}`), 404, 'WEB_ERR_NOT_FOUND');
    await expectError(await ann.fetch(`/api/messages/${id}/attachments/0`), 404);
    await expectError(await ann.fetch(`/compose?reply=${id}`), 400, 'WEB_ERR_BAD_REQUEST');
  });

  it('an id longer than any route parameter is refused by the router (414)', async () => {
    await expectError(await ann.fetch(`/api/messages/${'9'.repeat(300)}`), 414);
  });

  it('attachment indexes that do not exist are 404', async () => {
    for (const index of ['1', '999', 'abc', '-1', '99999']) await expectError(await ann.fetch(`/api/messages/${own}/attachments/${index}`), 404, 'WEB_ERR_NOT_FOUND');
    statuses.push((await ann.fetch(`/api/messages/${own}/attachments/0`)).status);
    expect(statuses.at(-1)).toBe(200);
  });

  it('huge or malformed page positions are 400', async () => {
    for (const path of [
      '/conversations?page=99999999',
      '/conversations?page=abc',
      '/api/conversations?page=0',
      '/mail/inbox?before=garbage',
      '/mail/inbox?before=99999999999999999999-1',
      `/mail/inbox?before=${'1'.repeat(100)}`,
      '/api/folders/inbox/messages?limit=100000',
      '/api/folders/inbox/messages?limit=0',
      `/api/search?q=${'x'.repeat(201)}`,
    ]) {
      const response = await ann.fetch(path);
      statuses.push(response.status);
      expect(response.status, path).toBe(400);
    }
    // A well-formed cursor far in the future or past is simply an empty or full page.
    expect((await ann.fetch('/api/folders/inbox/messages?before=99991231235959999999-1')).status).toBe(200);
    expect((await ann.fetch('/api/folders/inbox/messages?before=20261399000000000000-1')).status).toBe(400);
    expect((await ann.fetch('/api/folders/inbox/messages?before=10000101000000000000-1')).status).toBe(200);
    const search = await ann.fetch(`/api/search?q=${encodeURIComponent('+-*"()~<>@ MATCH AGAINST')}`);
    expect(search.status).toBe(200);
  });

  it('unknown folders are 404, system folders cannot be renamed, only Trash and Junk emptied', async () => {
    await expectError(await ann.fetch('/mail/nope'), 404, 'WEB_ERR_UNKNOWN_FOLDER');
    await expectError(await ann.fetch('/mail/4711'), 404, 'WEB_ERR_UNKNOWN_FOLDER');
    await expectError(await ann.fetch('/api/folders/nope/messages'), 404, 'WEB_ERR_UNKNOWN_FOLDER');
    await expectError(await ann.fetch('/api/messages/actions', json({ ids: [String(own)], action: 'move', folder: 'nope' })), 404, 'WEB_ERR_UNKNOWN_FOLDER');
    await expectError(await ann.fetch('/api/messages/actions', json({ ids: [String(own)], action: 'move', folder: 'drafts' })), 400, 'WEB_ERR_BAD_REQUEST');
    await expectError(await ann.fetch('/api/messages/actions', json({ ids: [String(own)], action: 'explode' })), 400, 'WEB_ERR_BAD_REQUEST');
    await expectError(await ann.fetch('/api/messages/actions', json({ ids: ['1; DROP TABLE Users'], action: 'read' })), 400, 'WEB_ERR_BAD_REQUEST');
    await expectError(await ann.fetch('/api/folders/999/empty', { method: 'POST' }), 404, 'WEB_ERR_UNKNOWN_FOLDER');
    await expectError(await ann.fetch('/api/folders/inbox/empty', { method: 'POST' }), 400, 'WEB_ERR_BAD_REQUEST');
    await expectError(await ann.fetch('/api/folders/inbox', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' }), 400, 'WEB_ERR_BAD_REQUEST');
    await expectError(await ann.fetch('/api/folders', json({ name: '' })), 400, 'WEB_ERR_BAD_FOLDER_NAME');
    await expectError(await ann.fetch('/api/folders', json({ name: 'a\u0000b' })), 400, 'WEB_ERR_BAD_FOLDER_NAME');
    await expectError(await ann.fetch('/api/folders', json({ name: 'Inbox' })), 400, 'WEB_ERR_BAD_FOLDER_NAME');
    expect((await ann.fetch('/api/folders', json({ name: 'Receipts' }))).status).toBe(201);
    await expectError(await ann.fetch('/api/folders', json({ name: 'Receipts' })), 409, 'WEB_ERR_FOLDER_EXISTS');
  });

  it('a user with the most folders there can be gets 409 for one more, and every page still shows them all', async () => {
    const [cat] = (await createUsers(store, domain, ['cat'])) as [string];
    const pool = store.homePool(cat);
    const names = Array.from({ length: MAX_USER_FOLDERS }, (_, i) => `folder ${String(i).padStart(4, '0')}`);
    await pool.query('INSERT INTO Folders (Address, Id, Name) VALUES ?', [names.map((name, i) => [cat, 100 + i, name])]);
    const session = await apiSignIn(cat);
    await expectError(await session.fetch('/api/folders', json({ name: 'one more' })), 409, 'WEB_ERR_TOO_MANY_FOLDERS');
    const inbox = await session.fetch('/mail/inbox');
    expect(inbox.status).toBe(200);
    expect(await inbox.text()).toContain(names.at(-1));
  });

  it('oversized uploads are 413: one file too big, too many files, too much altogether', async () => {
    // A pod with small limits: a 10 MiB body refused mid-upload can reset the connection before the
    // client reads the 413 (the server stops reading), which would test the socket, not the limit.
    const { url, pod } = await startWebPod({ MAILCLUSTER_MAX_ATTACHMENT_BYTES: '100000', MAILCLUSTER_MAX_ATTACHMENTS: '3', MAILCLUSTER_MAX_ATTACHMENTS_TOTAL_BYTES: '150000' });
    try {
      const small = sessionFor(ann.cookie, ann.csrf, url);
      await expectError(await small.fetch('/api/drafts', upload([{ name: 'big.bin', size: 100_001 }])), 413, 'WEB_ERR_UPLOAD_TOO_LARGE');
      await expectError(await small.fetch('/api/drafts', upload(Array.from({ length: 4 }, (_, i) => ({ name: `f${i}.txt`, size: 10 })))), 413, 'WEB_ERR_UPLOAD_TOO_LARGE');
      await expectError(await small.fetch('/api/drafts', upload([{ name: 'a.bin', size: 90_000 }, { name: 'b.bin', size: 90_000 }])), 413, 'WEB_ERR_UPLOAD_TOO_LARGE');
      await expectError(await small.fetch('/compose', upload([{ name: 'big.bin', size: 100_001 }], { _csrf: ann.csrf, to: 'x@y.test', action: 'send' })), 413, 'WEB_ERR_UPLOAD_TOO_LARGE');
      expect((await small.fetch('/api/drafts', upload([{ name: 'ok.bin', size: 90_000 }]))).status).toBe(201);
    } finally {
      pod.signal('SIGTERM');
      await pod.exited;
    }
  });

  it('bodies that are not what they claim are 400 or 415', async () => {
    await expectError(await ann.fetch('/api/messages/actions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ids": [' }), 400, 'WEB_ERR_BAD_REQUEST');
    await expectError(await ann.fetch('/api/messages/actions', { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<x/>' }), 415, 'WEB_ERR_UNSUPPORTED_MEDIA_TYPE');
    await expectError(await ann.fetch('/api/settings', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"pageSize": 7}' }), 400, 'WEB_ERR_BAD_REQUEST');
    await expectError(await ann.fetch('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' }), 400, 'WEB_ERR_BAD_REQUEST');
  });

  it('recipients: line breaks, non-addresses and none at all are refused before anything is sent', async () => {
    await expectError(await ann.fetch('/api/messages/send', json({ to: `${bobAddress}\r\nBcc: evil@outside.test` })), 400, 'WEB_ERR_BAD_ADDRESS');
    await expectError(await ann.fetch('/api/messages/send', json({ to: 'not an address' })), 400, 'WEB_ERR_BAD_ADDRESS');
    await expectError(await ann.fetch('/api/messages/send', json({ to: '"x" <a@b.test>, <evil@x.test\u0000>' })), 400, 'WEB_ERR_BAD_ADDRESS');
    await expectError(await ann.fetch('/api/messages/send', json({ to: '', subject: 'nobody' })), 400, 'WEB_ERR_NO_RECIPIENTS');
    await expectError(await ann.fetch('/api/messages/send', json({ to: bobAddress, mode: 'evil' })), 400, 'WEB_ERR_BAD_REQUEST');
    await expectError(await ann.fetch('/api/messages/send', json({ to: bobAddress, keep: ['../../etc/passwd'] })), 400, 'WEB_ERR_BAD_REQUEST');
  });

  it('CR, LF and NUL in the subject and the display name cannot add a header', async () => {
    const marker = randomBytes(4).toString('hex');
    expect((await ann.fetch('/api/settings', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ displayName: 'Ann\r\nBcc: evil@outside.test\r\nX-Injected: name', signature: '', pageSize: 50 }) })).status).toBe(204);
    const sent = await ann.fetch('/api/messages/send', json({ to: bobAddress, subject: `Hi ${marker}\r\nBcc: evil@outside.test\r\nX-Injected: subject\u0000\nX-Bare: lf`, body: 'body\r\n.\r\nMAIL FROM:<evil@outside.test>\r\n' }));
    expect(sent.status).toBe(202);
    const received = await waitForMail(store, bobAddress, (m) => m.subject.includes(marker));
    const { getMessage } = await import('@mailcluster/store');
    const row = await getMessage(store.homePool(bobAddress), bobAddress, received.id);
    const head = row!.raw.toString('latin1').split('\r\n\r\n')[0]!;
    const names = head.split('\r\n').filter((line) => /^[^\s:]+:/.test(line)).map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
    expect(names.filter((n) => n === 'subject')).toHaveLength(1);
    expect(names.filter((n) => n === 'from')).toHaveLength(1);
    expect(names).not.toContain('bcc');
    expect(names).not.toContain('x-injected');
    expect(names).not.toContain('x-bare');
    expect(received.subject).toBe(`Hi ${marker} Bcc: evil@outside.test X-Injected: subject X-Bare: lf`);
    expect(received.fromName).toBe('Ann Bcc: evil@outside.test X-Injected: name');
  });
});
