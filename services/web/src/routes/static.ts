import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { STATIC_ASSETS } from '../static-assets.ts';

/** The OpenAPI description of /api, written by hand and checked against the routes by app.test.ts. */
export const OPENAPI_DOCUMENT: unknown = JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8'));

/** The stylesheet and script (cached for a year under their content hash) and the API description. */
export function staticRoutes(app: FastifyInstance): void {
  for (const asset of Object.values(STATIC_ASSETS)) {
    app.get(asset.url, async (_request, reply) =>
      reply.header('cache-control', 'public, max-age=31536000, immutable').type(asset.contentType).send(asset.body),
    );
  }
  app.get('/api/openapi.json', async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(OPENAPI_DOCUMENT));
  app.get('/favicon.ico', async (_request, reply) => reply.header('cache-control', 'public, max-age=86400').code(204).send());
}
