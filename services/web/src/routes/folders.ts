import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WebError } from '../errors.ts';
import { signedIn } from '../plugins/sessions.ts';
import type { WebServices } from '../services.ts';
import { foldersPage } from '../views/settings-page.ts';
import { loadChrome } from './chrome.ts';
import { folderNameSchema, noticeOf, parse } from './input.ts';
import { redirectBack, sendPage } from './respond.ts';

/** The user's own folders: create, rename, delete. */
export function folderRoutes(app: FastifyInstance, services: WebServices): void {
  const { mailbox } = services;

  app.get('/folders', async (request, reply) => {
    const session = signedIn(request);
    const chrome = await loadChrome(services, session, 'folders');
    return sendPage(reply, foldersPage(chrome, chrome.folders, { notice: noticeOf(request) }));
  });

  /** Form posts: a refusal (name taken, not valid) is shown on the folders page itself. */
  async function formAction(request: FastifyRequest, reply: FastifyReply, work: () => Promise<unknown>) {
    try {
      await work();
    } catch (error) {
      if (!(error instanceof WebError) || error.httpStatus >= 500 || error.code === 'WEB_ERR_UNKNOWN_FOLDER') throw error;
      const chrome = await loadChrome(services, signedIn(request), 'folders');
      return sendPage(reply, foldersPage(chrome, chrome.folders, { error: error.message }), error.httpStatus);
    }
    return redirectBack(reply, '/folders', 'folder');
  }

  app.post('/folders', async (request, reply) => {
    const session = signedIn(request);
    const { name } = parse(folderNameSchema, request.body);
    return formAction(request, reply, () => mailbox.createFolder(session.address, name));
  });

  app.post<{ Params: { folder: string } }>('/folders/:folder/rename', async (request, reply) => {
    const session = signedIn(request);
    const { name } = parse(folderNameSchema, request.body);
    return formAction(request, reply, () => mailbox.renameFolder(session.address, request.params.folder, name));
  });

  app.post<{ Params: { folder: string } }>('/folders/:folder/delete', async (request, reply) => {
    const session = signedIn(request);
    return formAction(request, reply, () => mailbox.deleteFolder(session.address, request.params.folder));
  });

  app.post('/api/folders', async (request, reply) => {
    const session = signedIn(request);
    const { name } = parse(folderNameSchema, request.body);
    return reply.code(201).send(await mailbox.createFolder(session.address, name));
  });

  app.patch<{ Params: { folder: string } }>('/api/folders/:folder', async (request, reply) => {
    const session = signedIn(request);
    const { name } = parse(folderNameSchema, request.body);
    await mailbox.renameFolder(session.address, request.params.folder, name);
    return reply.code(204).send();
  });

  app.delete<{ Params: { folder: string } }>('/api/folders/:folder', async (request, reply) => {
    const session = signedIn(request);
    await mailbox.deleteFolder(session.address, request.params.folder);
    return reply.code(204).send();
  });
}
