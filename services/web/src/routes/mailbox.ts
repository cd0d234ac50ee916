import { searchTerms } from '@mailcluster/store';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { WebError } from '../errors.ts';
import { type FolderView, findFolder } from '../mail/folders.ts';
import { quotaOf } from '../mail/mailbox-service.ts';
import { signedIn } from '../plugins/sessions.ts';
import type { WebServices } from '../services.ts';
import { conversationsPage, mailboxPage, searchPage } from '../views/mailbox-page.ts';
import { loadChrome } from './chrome.ts';
import { actionSchema, beforeSchema, noticeOf, pageSchema, parse } from './input.ts';
import { redirectBack, sendPage } from './respond.ts';

const SEARCH_LIMIT = 100;
const CONVERSATIONS_PER_PAGE = 50;
const searchSchema = z.object({ q: z.string().max(200).default('') });

/** Folder lists, conversations, search, and the actions on selected messages. */
export function mailboxRoutes(app: FastifyInstance, services: WebServices): void {
  const { mailbox } = services;

  /**
   * One page of a folder plus the cursor of the next one (one row more than shown tells whether
   * there is one), given the user's folders and page size as the request has already read them.
   */
  async function folderPage(address: string, known: { folders: readonly FolderView[]; pageSize: number }, token: string, query: unknown) {
    const { before, limit } = parse(beforeSchema, query);
    const folder = findFolder(known.folders, token);
    if (!folder) throw new WebError('WEB_ERR_UNKNOWN_FOLDER');
    const size = limit ?? known.pageSize;
    let rows;
    try {
      rows = await mailbox.list(address, folder, size + 1, before);
    } catch (error) {
      if (error instanceof RangeError) throw new WebError('WEB_ERR_BAD_REQUEST', 'Not a page position.');
      throw error;
    }
    const items = rows.slice(0, size);
    const next = rows.length > size ? items.at(-1)?.cursor : undefined;
    return { folder, items, next, older: before !== undefined };
  }

  app.get('/', async (_request, reply) => reply.redirect('/mail/inbox', 303));

  app.get<{ Params: { folder: string } }>('/mail/:folder', async (request, reply) => {
    const session = signedIn(request);
    const chrome = await loadChrome(services, session, request.params.folder);
    const page = await folderPage(session.address, { folders: chrome.folders, pageSize: chrome.viewer.pageSize }, request.params.folder, request.query);
    return sendPage(reply, mailboxPage({ ...chrome, current: page.folder.token }, page.folder, page.items, { next: page.next, older: page.older }, noticeOf(request)));
  });

  app.get<{ Params: { folder: string } }>('/api/folders/:folder/messages', async (request) => {
    const { address, profile } = signedIn(request);
    const folders = await mailbox.folders(address, profile?.folders);
    const { pageSize } = services.settings.account(address, profile);
    const page = await folderPage(address, { folders, pageSize }, request.params.folder, request.query);
    return { folder: page.folder, messages: page.items, next: page.next ?? null };
  });

  app.get('/api/folders', async (request) => {
    const { address, profile } = signedIn(request);
    return { folders: await mailbox.folders(address, profile?.folders), quota: quotaOf(profile) };
  });

  async function conversations(address: string, query: unknown) {
    const { page } = parse(pageSchema, query);
    const rows = await mailbox.conversations(address, page, CONVERSATIONS_PER_PAGE + 1);
    return { page, conversations: rows.slice(0, CONVERSATIONS_PER_PAGE), more: rows.length > CONVERSATIONS_PER_PAGE };
  }

  app.get('/conversations', async (request, reply) => {
    const session = signedIn(request);
    const result = await conversations(session.address, request.query);
    const chrome = await loadChrome(services, session, 'conversations');
    return sendPage(reply, conversationsPage(chrome, result.conversations, result.page, result.more));
  });

  app.get('/api/conversations', async (request) => conversations(signedIn(request).address, request.query));

  app.get('/search', async (request, reply) => {
    const session = signedIn(request);
    const { q } = parse(searchSchema, request.query);
    const items = await mailbox.search(session.address, q, SEARCH_LIMIT);
    const chrome = await loadChrome(services, session, 'search');
    return sendPage(reply, searchPage(chrome, q, items, searchTerms(q).length === 0));
  });

  app.get('/api/search', async (request) => {
    const session = signedIn(request);
    const { q } = parse(searchSchema, request.query);
    return { query: q, terms: searchTerms(q), messages: await mailbox.search(session.address, q, SEARCH_LIMIT) };
  });

  app.post('/messages/actions', async (request, reply) => {
    const session = signedIn(request);
    const input = parse(actionSchema, request.body);
    await mailbox.act(session.address, input.ids, input.action, input.folder);
    const back = input.back ?? '/mail/inbox';
    return redirectBack(reply, back, input.action === 'delete' ? 'deleted' : input.action === 'move' ? 'moved' : 'updated');
  });

  app.post('/api/messages/actions', async (request) => {
    const session = signedIn(request);
    const input = parse(actionSchema, request.body);
    return { changed: await mailbox.act(session.address, input.ids, input.action, input.folder) };
  });

  app.post<{ Params: { folder: string } }>('/folders/:folder/empty', async (request, reply) => {
    const session = signedIn(request);
    await mailbox.empty(session.address, request.params.folder);
    return redirectBack(reply, `/mail/${encodeURIComponent(request.params.folder)}`, 'emptied');
  });

  app.post<{ Params: { folder: string } }>('/api/folders/:folder/empty', async (request) => {
    const session = signedIn(request);
    return { removed: await mailbox.empty(session.address, request.params.folder) };
  });
}
