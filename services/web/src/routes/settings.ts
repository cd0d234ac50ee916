import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { WebError } from '../errors.ts';
import { setSessionCookie, signedIn } from '../plugins/sessions.ts';
import type { WebServices } from '../services.ts';
import { settingsPage } from '../views/settings-page.ts';
import { loadChrome } from './chrome.ts';
import { noticeOf, parse } from './input.ts';
import { redirectBack, sendPage } from './respond.ts';

const profileSchema = z.object({
  displayName: z.string().max(400).default(''),
  signature: z.string().max(4000).default(''),
  pageSize: z.coerce.number().int(),
});

const passwordSchema = z.object({
  current: z.string().max(1024),
  next: z.string().max(1024),
  confirm: z.string().max(1024),
});

/** Display name, signature, page size, password. */
export function settingsRoutes(app: FastifyInstance, services: WebServices): void {
  const { settings } = services;
  const maxAge = services.config.sessionMaxHours * 3600;

  app.get('/settings', async (request, reply) => {
    const session = signedIn(request);
    const chrome = await loadChrome(services, session, 'settings');
    return sendPage(reply, settingsPage(chrome, settings.account(session.address, session.profile), { notice: noticeOf(request) }));
  });

  /** A refusal the person can fix is shown on the settings page. */
  async function settingsError(request: FastifyRequest, error: unknown): Promise<{ status: number; page: string }> {
    if (!(error instanceof WebError) || error.httpStatus >= 500) throw error;
    const session = signedIn(request);
    const chrome = await loadChrome(services, session, 'settings');
    return { status: error.httpStatus, page: settingsPage(chrome, settings.account(session.address, session.profile), { error: error.message }) };
  }

  app.post('/settings', async (request, reply) => {
    const session = signedIn(request);
    try {
      await settings.update(session.address, parse(profileSchema, request.body));
    } catch (error) {
      const { status, page } = await settingsError(request, error);
      return sendPage(reply, page, status);
    }
    return redirectBack(reply, '/settings', 'settings');
  });

  app.post('/settings/password', async (request, reply) => {
    const session = signedIn(request);
    const input = parse(passwordSchema, request.body);
    try {
      const { cookie } = await settings.changePassword(session.address, input.current, input.next, input.confirm);
      setSessionCookie(reply, cookie, maxAge);
    } catch (error) {
      const { status, page } = await settingsError(request, error);
      return sendPage(reply, page, status);
    }
    return redirectBack(reply, '/settings', 'password');
  });

  app.get('/api/settings', (request) => {
    const { address, profile } = signedIn(request);
    return settings.account(address, profile);
  });

  app.put('/api/settings', async (request, reply) => {
    await settings.update(signedIn(request).address, parse(profileSchema, request.body));
    return reply.code(204).send();
  });

  app.post('/api/settings/password', async (request, reply) => {
    const session = signedIn(request);
    const input = parse(passwordSchema, request.body);
    const { cookie } = await settings.changePassword(session.address, input.current, input.next, input.confirm);
    setSessionCookie(reply, cookie, maxAge);
    return reply.code(204).send();
  });
}
