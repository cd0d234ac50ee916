import { PassThrough, type Readable } from 'node:stream';
import { AdminError } from '@mailcluster/admin';
import type { User } from '@mailcluster/store';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { signedInAdmin } from '../../plugins/admin-auth.ts';
import type { WebServices } from '../../services.ts';
import { adminInput } from './admin-input.ts';

/** A user as the admin API shows it: everything but the password hash. */
export function userJson(user: User): Omit<User, 'passwordHash'> {
  const { passwordHash: _hidden, ...shown } = user;
  return shown;
}

const quota = z.union([z.number().int().nonnegative(), z.string().max(32)]);
const listSchema = z.object({
  domain: z.string().max(255).optional(),
  search: z.string().max(320).optional(),
  after: z.string().max(320).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
const createSchema = z.object({ address: z.string().max(400), password: z.string().max(1024), displayName: z.string().max(400).optional(), quota: quota.optional() });
const changeSchema = z
  .object({
    disabled: z.boolean().optional(),
    quota: quota.optional(),
    password: z.string().max(1024).optional(),
    forwardTo: z.array(z.string().max(400)).max(20).optional(),
    keepForwardedCopy: z.boolean().default(true),
  })
  .strict();

/** Users: list and search with paging, create, show, change, delete; bulk import and export as CSV. */
export function adminUserRoutes(app: FastifyInstance, services: WebServices): void {
  const admin = (request: Parameters<typeof signedInAdmin>[0]) => services.adminFor(signedInAdmin(request));

  app.get('/api/admin/users', async (request) => {
    const query = adminInput(listSchema, request.query);
    const users = await admin(request).users.list(query);
    return { users: users.map(userJson), next: users.length === query.limit ? (users.at(-1)?.address ?? null) : null };
  });

  app.post('/api/admin/users', async (request, reply) => {
    const input = adminInput(createSchema, request.body);
    return reply.code(201).send(userJson(await admin(request).users.create(input)));
  });

  app.get<{ Params: { address: string } }>('/api/admin/users/:address', async (request) => userJson(await admin(request).users.get(request.params.address)));

  app.patch<{ Params: { address: string } }>('/api/admin/users/:address', async (request) => {
    const input = adminInput(changeSchema, request.body);
    const users = admin(request).users;
    const { address } = request.params;
    if (input.disabled !== undefined) await users.setDisabled(address, input.disabled);
    if (input.quota !== undefined) await users.setQuota(address, input.quota);
    if (input.password !== undefined) await users.resetPassword(address, input.password);
    if (input.forwardTo !== undefined) await users.setForwarding(address, input.forwardTo, input.keepForwardedCopy);
    return userJson(await users.get(address));
  });

  app.delete<{ Params: { address: string } }>('/api/admin/users/:address', async (request, reply) => {
    await admin(request).users.remove(request.params.address);
    return reply.code(204).send();
  });

  app.get<{ Params: { address: string } }>('/api/admin/users/:address/mail', async (request) => {
    const { limit } = adminInput(z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }), request.query);
    return { messages: await admin(request).users.listMail(request.params.address, 'inbox', limit) };
  });

  // The CSV arrives as a stream: a million lines never sit in memory.
  app.addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload));

  app.post('/api/admin/users/import', async (request) => {
    const body = request.body;
    if (typeof (body as Readable | undefined)?.pipe !== 'function') throw new AdminError('ADMIN_ERR_BAD_CSV', 'send the file as text/csv');
    return admin(request).imports.run(body as Readable, { source: 'api' });
  });

  app.get('/api/admin/users/export', async (request, reply) => {
    const { domain } = adminInput(z.object({ domain: z.string().max(255).optional() }), request.query);
    const out = new PassThrough();
    const written = admin(request).exports.run(out, { domain });
    // Errors before the first byte (a viewer, an unknown domain) still answer with their status.
    await Promise.race([written, new Promise((resolve) => out.once('readable', resolve))]);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="users.csv"').send(out);
  });
}

