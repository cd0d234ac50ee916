import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { clearAdminCookie, setAdminCookie, signedInAdmin } from '../../plugins/admin-auth.ts';
import type { WebServices } from '../../services.ts';
import { adminInput } from './admin-input.ts';

/** The admin API's description, written by hand and checked against the routes by app.test.ts. */
export const ADMIN_OPENAPI_DOCUMENT: unknown = JSON.parse(readFileSync(new URL('../../../admin-openapi.json', import.meta.url), 'utf8'));

export const adminCredentialsSchema = z.object({ name: z.string().max(64), password: z.string().max(1024), next: z.string().max(2000).optional() });

/** Admin sign-in and sign-out over the API (the pages use the same services), and the API description. */
export function adminSessionRoutes(app: FastifyInstance, services: WebServices): void {
  const maxAge = services.config.sessionMaxHours * 3600;

  app.post('/api/admin/session', async (request, reply) => {
    const input = adminInput(adminCredentialsSchema, request.body);
    const account = await services.adminSignIn.attempt(input.name, input.password, request.ip);
    if (request.adminSession !== null) await services.adminSessions.end(request.adminSession);
    const { cookie, session } = await services.adminSessions.create(account.name);
    setAdminCookie(reply, cookie, maxAge);
    return reply.code(201).send({ name: account.name, role: account.role, csrfToken: session.csrfToken });
  });

  app.get('/api/admin/session', (request) => {
    const actor = signedInAdmin(request);
    return { actor: actor.name, role: actor.role, csrfToken: request.adminSession?.csrfToken ?? null };
  });

  app.delete('/api/admin/session', async (request, reply) => {
    signedInAdmin(request);
    if (request.adminSession !== null) await services.adminSessions.end(request.adminSession);
    clearAdminCookie(reply);
    return reply.code(204).send();
  });

  app.get('/api/admin/openapi.json', async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(ADMIN_OPENAPI_DOCUMENT));
}
