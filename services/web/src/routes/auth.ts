import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { WebError } from '../errors.ts';
import { clearSessionCookie, setSessionCookie, signedIn } from '../plugins/sessions.ts';
import type { WebServices } from '../services.ts';
import { loginPage } from '../views/login-page.ts';
import { parse } from './input.ts';
import { localPath, sendPage } from './respond.ts';

const credentialsSchema = z.object({
  address: z.string().max(320),
  password: z.string().max(1024),
  next: z.string().max(2000).optional(),
});

/** Sign-in and sign-out, for the pages and the API. */
export function authRoutes(app: FastifyInstance, services: WebServices): void {
  const maxAge = services.config.sessionMaxHours * 3600;

  /** Checks the password and starts a fresh session: a new id whatever cookie came in (no fixation). */
  async function signIn(request: FastifyRequest, reply: FastifyReply, address: string, password: string) {
    try {
      const user = await services.signIn.attempt(address, password, request.ip);
      if (request.session !== null) await services.sessions.end(request.session);
      const { cookie, session } = await services.sessions.create(user);
      setSessionCookie(reply, cookie, maxAge);
      services.metrics.signIns.inc({ outcome: 'ok' });
      return session;
    } catch (error) {
      if (error instanceof WebError) services.metrics.signIns.inc({ outcome: error.code === 'WEB_ERR_THROTTLED' ? 'throttled' : 'refused' });
      throw error;
    }
  }

  app.get('/login', async (request, reply) => {
    const { next } = parse(z.object({ next: z.string().max(2000).optional() }), request.query);
    if (request.session !== null) return reply.redirect(localPath(next), 303);
    return sendPage(reply, loginPage({ next }));
  });

  app.post('/login', async (request, reply) => {
    const input = parse(credentialsSchema, request.body);
    try {
      await signIn(request, reply, input.address, input.password);
    } catch (error) {
      if (!(error instanceof WebError) || (error.code !== 'WEB_ERR_BAD_CREDENTIALS' && error.code !== 'WEB_ERR_THROTTLED')) throw error;
      if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
      return sendPage(reply, loginPage({ address: input.address, error: error.message, next: input.next }), error.httpStatus);
    }
    return reply.redirect(localPath(input.next), 303);
  });

  app.post('/logout', async (request, reply) => {
    if (request.session !== null) await services.sessions.end(request.session);
    clearSessionCookie(reply);
    return reply.redirect('/login', 303);
  });

  app.post('/api/session', async (request, reply) => {
    const input = parse(credentialsSchema, request.body);
    const session = await signIn(request, reply, input.address, input.password);
    return reply.code(201).send({ address: session.address, csrfToken: session.csrfToken });
  });

  app.get('/api/session', (request) => {
    const session = signedIn(request);
    return { address: session.address, csrfToken: session.csrfToken };
  });

  app.delete('/api/session', async (request, reply) => {
    await services.sessions.end(signedIn(request));
    clearSessionCookie(reply);
    return reply.code(204).send();
  });
}
