import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { signedInAdmin } from '../../plugins/admin-auth.ts';
import type { WebServices } from '../../services.ts';
import { adminInput } from './admin-input.ts';

const quota = z.union([z.number().int().nonnegative(), z.string().max(32)]);
const pageSchema = z.object({ domain: z.string().max(255).optional(), after: z.string().max(320).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) });

/** Domains (with their defaults and catch-all) and aliases. */
export function adminDirectoryRoutes(app: FastifyInstance, services: WebServices): void {
  const admin = (request: Parameters<typeof signedInAdmin>[0]) => services.adminFor(signedInAdmin(request));

  app.get('/api/admin/domains', async (request) => ({ domains: await admin(request).domains.list() }));

  app.post('/api/admin/domains', async (request, reply) => {
    const input = adminInput(z.object({ name: z.string().max(300), defaultQuota: quota.optional() }), request.body);
    const created = await admin(request).domains.add(input.name, input.defaultQuota);
    return reply.code(created ? 201 : 200).send(await admin(request).domains.get(input.name));
  });

  app.get<{ Params: { domain: string } }>('/api/admin/domains/:domain', async (request) => admin(request).domains.get(request.params.domain));

  app.patch<{ Params: { domain: string } }>('/api/admin/domains/:domain', async (request) => {
    const input = adminInput(z.object({ defaultQuota: quota.optional(), catchAll: z.string().max(400).nullable().optional() }).strict(), request.body);
    const domains = admin(request).domains;
    if (input.defaultQuota !== undefined) await domains.setDefaultQuota(request.params.domain, input.defaultQuota);
    if (input.catchAll !== undefined) await domains.setCatchAll(request.params.domain, input.catchAll);
    return domains.get(request.params.domain);
  });

  app.delete<{ Params: { domain: string } }>('/api/admin/domains/:domain', async (request) => {
    const { force } = adminInput(z.object({ force: z.enum(['true', 'false']).default('false') }), request.query);
    return admin(request).domains.remove(request.params.domain, { force: force === 'true' });
  });

  app.get('/api/admin/aliases', async (request) => {
    const query = adminInput(pageSchema, request.query);
    const aliases = await admin(request).aliases.list(query);
    return { aliases, next: aliases.length === query.limit ? (aliases.at(-1)?.address ?? null) : null };
  });

  app.post('/api/admin/aliases', async (request, reply) => {
    const input = adminInput(z.object({ address: z.string().max(400), targets: z.array(z.string().max(400)).min(1).max(100) }), request.body);
    return reply.code(201).send(await admin(request).aliases.add(input.address, input.targets));
  });

  app.get<{ Params: { address: string } }>('/api/admin/aliases/:address', async (request) => admin(request).aliases.get(request.params.address));

  app.delete<{ Params: { address: string } }>('/api/admin/aliases/:address', async (request, reply) => {
    await admin(request).aliases.remove(request.params.address);
    return reply.code(204).send();
  });
}
