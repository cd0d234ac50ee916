import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { WebError } from '../errors.ts';
import { type ReadableMessage, readMessage } from '../mail/message-reader.ts';
import { signedIn } from '../plugins/sessions.ts';
import { attachmentDisposition, downloadContentType } from '../sanitize/filename.ts';
import { sanitizeHtml } from '../sanitize/html-sanitizer.ts';
import type { WebServices } from '../services.ts';
import { frameCsp, frameDocument } from '../views/message-frame.ts';
import { messagePage, threadPage } from '../views/message-page.ts';
import { loadChrome } from './chrome.ts';
import { noticeOf, parse, parseId } from './input.ts';
import { redirectBack, sendPage } from './respond.ts';

type IdParams = { Params: { id: string } };

const viewSchema = z.object({ remote: z.enum(['0', '1']).optional(), view: z.enum(['text', 'html']).optional() });

/** What a file download and the raw source may never be: rendered as a page of this site. */
function passive(reply: FastifyReply): FastifyReply {
  return reply.header('content-security-policy', "default-src 'none'; sandbox").header('cache-control', 'private, no-store');
}

/** Reading: the message page, its sanitised body frame, attachments, raw source and thread. */
export function messageRoutes(app: FastifyInstance, services: WebServices): void {
  const { mailbox } = services;

  async function load(address: string, id: string) {
    const item = await mailbox.message(address, parseId(id));
    return { item, message: await readMessage(item.raw) };
  }

  /** Remote content is shown when asked for this once, or always for this sender. */
  async function remoteShown(address: string, sender: string, query: { remote?: string | undefined }): Promise<boolean> {
    return query.remote === '1' || (await mailbox.remoteContentAllowed(address, sender));
  }

  function sanitized(message: ReadableMessage, allowRemote: boolean) {
    return sanitizeHtml(message.html ?? '', { allowRemote });
  }

  app.get<IdParams>('/messages/:id', async (request, reply) => {
    const session = signedIn(request);
    const query = parse(viewSchema, request.query);
    const { item, message } = await load(session.address, request.params.id);
    if (!item.seen) await mailbox.act(session.address, [item.id], 'read');
    // Remote content is a question for HTML only: plain text mail costs no lookup.
    const shown = message.html !== null && (await remoteShown(session.address, item.fromAddress, query));
    const blockedRemote = message.html !== null && !shown ? sanitized(message, false).blockedRemote : 0;
    const chrome = await loadChrome(services, session, '');
    const folder = chrome.folders.find((f) => f.id === item.folder);
    chrome.current = folder?.token ?? '';
    const view = { item: { ...item, seen: true }, message, folder, blockedRemote, remoteShown: shown, plainText: query.view === 'text' };
    return sendPage(reply, messagePage(chrome, view, noticeOf(request)));
  });

  app.get<IdParams>('/messages/:id/thread', async (request, reply) => {
    const session = signedIn(request);
    const items = await mailbox.thread(session.address, parseId(request.params.id));
    const chrome = await loadChrome(services, session, 'conversations');
    return sendPage(reply, threadPage(chrome, items));
  });

  app.post<IdParams>('/messages/:id/remote-content', async (request, reply) => {
    const session = signedIn(request);
    const id = parseId(request.params.id);
    await mailbox.allowRemoteContent(session.address, id);
    return redirectBack(reply, `/messages/${id}`, 'remote');
  });

  app.get<IdParams>('/api/messages/:id', async (request) => {
    const session = signedIn(request);
    const { item, message } = await load(session.address, request.params.id);
    const { raw: _raw, ...meta } = item;
    const folders = await mailbox.folders(session.address, session.profile?.folders);
    return {
      message: { ...meta, folderToken: folders.find((f) => f.id === item.folder)?.token ?? null },
      from: message.from,
      to: message.to,
      cc: message.cc,
      replyTo: message.replyTo,
      date: message.date,
      subject: message.subject,
      text: message.text,
      hasHtml: message.html !== null,
      attachments: message.attachments.map(({ content: _content, ...part }) => part),
    };
  });

  app.get<IdParams>('/api/messages/:id/thread', async (request) => {
    const session = signedIn(request);
    return { messages: await mailbox.thread(session.address, parseId(request.params.id)) };
  });

  app.get<IdParams>('/api/messages/:id/html', async (request, reply) => {
    const session = signedIn(request);
    const query = parse(viewSchema, request.query);
    const { item, message } = await load(session.address, request.params.id);
    if (message.html === null) throw new WebError('WEB_ERR_NOT_FOUND');
    const allowRemote = await remoteShown(session.address, item.fromAddress, query);
    const { html, blockedRemote } = sanitized(message, allowRemote);
    return reply
      .header('content-security-policy', frameCsp(allowRemote))
      .header('x-frame-options', 'SAMEORIGIN')
      .header('x-remote-content-blocked', String(blockedRemote))
      .type('text/html; charset=utf-8')
      .send(frameDocument(html, message.subject));
  });

  app.get<{ Params: { id: string; index: string } }>('/api/messages/:id/attachments/:index', async (request, reply) => {
    const session = signedIn(request);
    const { message } = await load(session.address, request.params.id);
    const part = /^\d{1,4}$/.test(request.params.index) ? message.attachments[Number(request.params.index)] : undefined;
    if (part === undefined) throw new WebError('WEB_ERR_NOT_FOUND');
    return passive(reply)
      .header('content-disposition', attachmentDisposition(part.filename))
      .type(downloadContentType(part.contentType))
      .send(part.content);
  });

  app.get<IdParams>('/api/messages/:id/raw', async (request, reply) => {
    const session = signedIn(request);
    const item = await mailbox.message(session.address, parseId(request.params.id));
    return passive(reply).type('text/plain; charset=utf-8').send(item.raw);
  });

  app.post<IdParams>('/api/messages/:id/remote-content', async (request, reply) => {
    const session = signedIn(request);
    await mailbox.allowRemoteContent(session.address, parseId(request.params.id));
    return reply.code(204).send();
  });
}
