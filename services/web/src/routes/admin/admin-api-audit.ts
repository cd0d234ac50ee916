import { AdminError, parseRole } from '@mailcluster/admin';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { signedInAdmin } from '../../plugins/admin-auth.ts';
import type { WebServices } from '../../services.ts';
import { adminInput } from './admin-input.ts';

const auditSchema = z.object({
  actor: z.string().max(200).optional(),
  action: z.string().max(64).optional(),
  target: z.string().max(320).optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** The audit log, and the signed-in admin's own API tokens. */
export function adminAuditRoutes(app: FastifyInstance, services: WebServices): void {
  app.get('/api/admin/audit', async (request) => {
    const query = adminInput(auditSchema, request.query);
    const entries = await services.adminFor(signedInAdmin(request)).audit.list(query);
    return { entries, next: entries.length === query.limit ? (entries.at(-1)?.id ?? null) : null };
  });

  /** Tokens are made by a signed-in admin for themselves (a token cannot make tokens). */
  function sessionAdmin(request: Parameters<typeof signedInAdmin>[0]) {
    const actor = signedInAdmin(request);
    if (request.adminSession === null) throw new AdminError('ADMIN_ERR_FORBIDDEN', 'tokens are managed from an admin session, not with a token');
    return { actor, name: request.adminSession.address };
  }

  app.get('/api/admin/tokens', async (request) => {
    const { actor, name } = sessionAdmin(request);
    return { tokens: await services.adminFor(actor).admins.listTokens(name) };
  });

  app.post('/api/admin/tokens', async (request, reply) => {
    const { actor, name } = sessionAdmin(request);
    const input = adminInput(z.object({ role: z.string().max(16).optional(), label: z.string().max(100).optional(), expiresInDays: z.number().int().min(1).max(3650).optional() }), request.body);
    const role = input.role === undefined ? undefined : parseRole(input.role);
    return reply.code(201).send(await services.adminFor(actor).admins.createToken(name, { role, label: input.label, expiresInDays: input.expiresInDays }));
  });

  app.delete<{ Params: { id: string } }>('/api/admin/tokens/:id', async (request, reply) => {
    const { actor } = sessionAdmin(request);
    await services.adminFor(actor).admins.revokeToken(request.params.id);
    return reply.code(204).send();
  });
}
