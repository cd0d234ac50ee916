import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SessionContext } from '../auth/session-service.ts';
import { WebError } from '../errors.ts';
import type { ComposeForm, ComposeMode, ComposeSubmission } from '../mail/compose-service.ts';
import { signedIn } from '../plugins/sessions.ts';
import type { WebServices } from '../services.ts';
import { composePage } from '../views/compose-page.ts';
import { loadChrome } from './chrome.ts';
import { composeSubmission } from './compose-input.ts';
import { messageId, noticeOf, parse } from './input.ts';
import { redirectBack, sendPage } from './respond.ts';

const prefillSchema = z.object({
  reply: messageId.optional(),
  replyAll: messageId.optional(),
  forward: messageId.optional(),
  draft: messageId.optional(),
});

function prefillRequest(query: z.infer<typeof prefillSchema>): { mode: ComposeMode | null; sourceId: number | null; draftId: number | null } {
  const mode: ComposeMode | null = query.reply ? 'reply' : query.replyAll ? 'replyAll' : query.forward ? 'forward' : null;
  return { mode, sourceId: query.reply ?? query.replyAll ?? query.forward ?? null, draftId: query.draft ?? null };
}

/** What the form shows again after a refusal: the person's own input, kept attachments still ticked. */
function formAgain(submission: ComposeSubmission, previous: ComposeForm): ComposeForm {
  return { ...submission, kept: previous.kept.filter((k) => submission.keep.includes(k.ref)) };
}

/** Writing mail: the form, sending, drafts, and address-book suggestions. */
export function composeRoutes(app: FastifyInstance, services: WebServices): void {
  const { compose, config } = services;
  const limits = { maxAttachmentBytes: config.maxAttachmentBytes, maxAttachments: config.maxAttachments };
  const signatureOf = (session: SessionContext) => services.settings.account(session.address, session.profile).signature;

  async function send(address: string, submission: ComposeSubmission): Promise<void> {
    try {
      await compose.send(address, submission);
      services.metrics.sent.inc({ outcome: 'sent' });
    } catch (error) {
      if (error instanceof WebError && (error.code === 'WEB_ERR_SEND_REFUSED' || error.code === 'WEB_ERR_SEND_UNAVAILABLE')) {
        services.metrics.sent.inc({ outcome: error.code === 'WEB_ERR_SEND_REFUSED' ? 'refused' : 'unavailable' });
      }
      throw error;
    }
  }

  app.get('/compose', async (request, reply) => {
    const session = signedIn(request);
    const form = await compose.prefill(session.address, prefillRequest(parse(prefillSchema, request.query)), signatureOf(session));
    const chrome = await loadChrome(services, session, 'compose');
    return sendPage(reply, composePage(chrome, form, { limits, notice: noticeOf(request) }));
  });

  app.post('/compose', async (request, reply) => {
    const session = signedIn(request);
    const { action, submission } = await composeSubmission(request.body);
    try {
      if (action === 'save') {
        const draftId = await compose.saveDraft(session.address, submission);
        return redirectBack(reply, `/compose?draft=${draftId}`, 'saved');
      }
      await send(session.address, submission);
      return redirectBack(reply, '/mail/inbox', 'sent');
    } catch (error) {
      // A refusal the person can fix: show the form again with their input and the reason.
      if (!(error instanceof WebError) || error.httpStatus === 500 || error.code === 'WEB_ERR_NOT_FOUND') throw error;
      const previous = await compose
        .prefill(session.address, { mode: submission.mode, sourceId: submission.sourceId, draftId: submission.draftId }, signatureOf(session))
        .catch(() => undefined);
      const form = formAgain(submission, previous ?? { ...submission, kept: [] });
      const chrome = await loadChrome(services, session, 'compose');
      return sendPage(reply, composePage(chrome, form, { error: error.message, limits }), error.httpStatus);
    }
  });

  app.get('/api/compose', async (request) => {
    const session = signedIn(request);
    return compose.prefill(session.address, prefillRequest(parse(prefillSchema, request.query)), signatureOf(session));
  });

  app.post('/api/messages/send', async (request, reply) => {
    const session = signedIn(request);
    const { submission } = await composeSubmission(request.body);
    await send(session.address, submission);
    return reply.code(202).send({ sent: true });
  });

  app.post('/api/drafts', async (request, reply) => {
    const session = signedIn(request);
    const { submission } = await composeSubmission(request.body);
    return reply.code(201).send({ draftId: await compose.saveDraft(session.address, submission) });
  });

  app.get('/api/contacts', async (request) => {
    const session = signedIn(request);
    const { q } = parse(z.object({ q: z.string().max(100).default('') }), request.query);
    const prefix = q.trim().toLowerCase();
    return { contacts: prefix === '' ? [] : await compose.contacts(session.address, prefix) };
  });
}
