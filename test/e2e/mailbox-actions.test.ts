import { FOLDERS, type MailStore } from '@mailcluster/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAdmin } from '../support/admin.ts';
import { createUsers, openTestStore, uniqueDomain } from '../support/stack.ts';
import { type ApiSession, apiSignIn, deliverMail, waitForMail } from '../support/webmail.ts';

interface FolderJson {
  id: number;
  token: string;
  name: string;
  role: string;
  unread: number;
}

interface ItemJson {
  id: number;
  subject: string;
  seen: boolean;
  flagged: boolean;
}

/** The mailbox actions of the JSON API (issue 5) on mail that came over SMTP: flags, folders, moves, raw source, remote content. */
describe('mailbox actions through the JSON API', () => {
  let store: MailStore;
  let ann: ApiSession;
  let address: string;
  const ids: Record<string, number> = {};
  const domain = uniqueDomain('actions');
  const BULK = ['bulk 1', 'bulk 2', 'bulk 3', 'bulk 4'];
  const TRACKER = 'https://tracker.example/pixel.png';

  beforeAll(async () => {
    store = await openTestStore();
    [address] = (await createUsers(store, domain, ['ann'])) as [string];
    const html = (subject: string) => ({ subject, text: subject, html: `<p>${subject}</p><img src="${TRACKER}?${encodeURIComponent(subject)}" alt="">` });
    const mails = [
      ...BULK.map((subject) => ({ from: 'x@outside.test', message: { subject, text: `body of ${subject}` } })),
      { from: 'friend@outside.test', message: html('remote first') },
      { from: 'friend@outside.test', message: html('remote second') },
      { from: 'stranger@outside.test', message: html('remote stranger') },
    ];
    for (const { from, message } of mails) await deliverMail({ from, to: address }, message);
    for (const { message } of mails) ids[message.subject] = (await waitForMail(store, address, (m) => m.subject === message.subject)).id;
    ann = await apiSignIn(address);
  });

  afterAll(async () => {
    await testAdmin(store).domains.remove(domain, { force: true });
    await store?.close();
  });

  const json = async <T>(response: Response, status = 200): Promise<T> => {
    expect(response.status, await response.clone().text()).toBe(status);
    return (await response.json()) as T;
  };
  const folders = async () => (await json<{ folders: FolderJson[] }>(await ann.fetch('/api/folders'))).folders;
  const folderNamed = async (name: string) => (await folders()).find((f) => f.name === name);
  const unreadIn = async (token: string) => (await folders()).find((f) => f.token === token)?.unread;
  const messagesIn = async (token: string) => (await json<{ messages: ItemJson[] }>(await ann.fetch(`/api/folders/${token}/messages`))).messages;
  const act = async (action: string, subjects: readonly string[], folder?: string) =>
    (await json<{ changed: number }>(await ann.fetch('/api/messages/actions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ids: subjects.map((s) => String(ids[s])), action, folder }),
    }))).changed;

  it('marks read and unread, with the Inbox unread count following; flags and unflags', async () => {
    const all = Object.keys(ids).length;
    expect(await unreadIn('inbox')).toBe(all);
    expect(await act('read', ['bulk 1', 'bulk 2'])).toBe(2);
    expect(await unreadIn('inbox')).toBe(all - 2);
    expect(await act('unread', ['bulk 2'])).toBe(1);
    expect(await unreadIn('inbox')).toBe(all - 1);
    expect(await act('flag', ['bulk 3', 'bulk 4'])).toBe(2);
    const flagged = (await messagesIn('inbox')).filter((m) => m.flagged).map((m) => m.subject).sort();
    expect(flagged).toEqual(['bulk 3', 'bulk 4']);
    expect(await act('unflag', ['bulk 3'])).toBe(1);
    expect((await messagesIn('inbox')).filter((m) => m.flagged).map((m) => m.subject)).toEqual(['bulk 4']);
    expect((await messagesIn('inbox')).find((m) => m.subject === 'bulk 1')).toMatchObject({ seen: true, flagged: false });
  });

  it('creates, renames and deletes a folder; moves several messages at once; a deleted folder’s mail goes to Trash', async () => {
    const created = await json<FolderJson>(await ann.fetch('/api/folders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Projects' }) }), 201);
    expect(created).toMatchObject({ name: 'Projects', role: 'user', unread: 0, token: String(created.id) });
    const duplicate = await ann.fetch('/api/folders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'projects' }) });
    expect(duplicate.status).toBe(409);

    const inboxUnread = (await unreadIn('inbox')) as number;
    // bulk 1 is read, bulk 2–4 are not: three unread move with them.
    expect(await act('move', BULK, created.token)).toBe(4);
    expect(await unreadIn('inbox')).toBe(inboxUnread - 3);
    expect(await unreadIn(created.token)).toBe(3);
    expect((await messagesIn(created.token)).map((m) => m.subject).sort()).toEqual(BULK);
    expect((await messagesIn('inbox')).map((m) => m.subject)).not.toContain('bulk 1');

    const renamed = await ann.fetch(`/api/folders/${created.token}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Archive 2026' }) });
    expect(renamed.status).toBe(204);
    expect(await folderNamed('Projects')).toBeUndefined();
    expect(await folderNamed('Archive 2026')).toMatchObject({ id: created.id, unread: 3 });
    expect((await ann.fetch('/api/folders/inbox', { method: 'DELETE' })).status).toBe(400);

    expect((await ann.fetch(`/api/folders/${created.token}`, { method: 'DELETE' })).status).toBe(204);
    expect(await folderNamed('Archive 2026')).toBeUndefined();
    expect((await ann.fetch(`/api/folders/${created.token}/messages`)).status).toBe(404);
    const trash = await messagesIn('trash');
    expect(trash.map((m) => m.subject).sort()).toEqual(BULK);
    expect(await unreadIn('trash')).toBe(3);
    // The rows are still the user's, now in Trash (Folder 4), not deleted.
    const stored = await waitForMail(store, address, (m) => m.subject === 'bulk 4', FOLDERS.trash);
    expect(stored.id).toBe(ids['bulk 4']);
  });

  it('serves the raw source as inert text', async () => {
    const response = await ann.fetch(`/api/messages/${ids['bulk 2']}/raw`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    const raw = await response.text();
    expect(raw).toMatch(/^Subject: bulk 2\r$/m);
    expect(raw).toMatch(/^From: x@outside\.test\r$/m);
    expect(raw).toContain('\r\n\r\nbody of bulk 2');
  });

  it('loads remote content for a sender once allowed, for that sender’s other mail too, and for no one else', async () => {
    const frame = async (subject: string) => {
      const response = await ann.fetch(`/api/messages/${ids[subject]}/html`);
      expect(response.status).toBe(200);
      return { blocked: response.headers.get('x-remote-content-blocked'), csp: response.headers.get('content-security-policy') ?? '', body: await response.text() };
    };
    for (const subject of ['remote first', 'remote second', 'remote stranger']) {
      const before = await frame(subject);
      expect(before.blocked, subject).toBe('1');
      expect(before.csp).toContain('img-src data:;');
      expect(before.body).toContain(`<p>${subject}</p>`);
      expect(before.body).not.toContain('tracker.example');
    }
    expect((await ann.fetch(`/api/messages/${ids['remote first']}/remote-content`, { method: 'POST' })).status).toBe(204);
    for (const subject of ['remote first', 'remote second']) {
      const after = await frame(subject);
      expect(after.blocked, subject).toBe('0');
      expect(after.csp).toContain('img-src data: https: http:;');
      expect(after.body).toContain(`src="${TRACKER}?${encodeURIComponent(subject)}"`);
    }
    const stranger = await frame('remote stranger');
    expect(stranger.blocked).toBe('1');
    expect(stranger.body).not.toContain('tracker.example');
  });
});
