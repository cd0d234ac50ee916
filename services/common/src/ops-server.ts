import { type Server, createServer } from 'node:http';
import type { Registry } from 'prom-client';
import type { HostPort } from './config.ts';
import type { Logger } from './logger.ts';

/** A named readiness check: resolves when the dependency is usable, rejects (or throws) when not. */
export type ReadinessCheck = () => Promise<void> | void;

export interface OpsServerOptions {
  listen: HostPort;
  registry: Registry;
  log: Logger;
  /** Checks behind `/readyz`; `/healthz` only says the process is serving. */
  readiness: Record<string, ReadinessCheck>;
}

export interface OpsServer {
  readonly port: number;
  /** Makes `/readyz` fail from now on, so load balancers stop sending work before shutdown. */
  markDraining(): void;
  close(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 2_000;

async function runCheck(check: ReadinessCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([Promise.resolve().then(check), timeout]);
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

/** The operations endpoint of a service: Prometheus `/metrics`, `/healthz` and `/readyz`. */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  let draining = false;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (path === '/healthz') return reply(200, 'text/plain', 'ok\n');
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => reply(200, options.registry.contentType, text),
        (error: unknown) => reply(500, 'text/plain', `metrics failed: ${String(error)}\n`),
      );
      return;
    }
    if (path === '/readyz') {
      const names = Object.keys(options.readiness);
      Promise.all(names.map((name) => runCheck(options.readiness[name] as ReadinessCheck))).then((results) => {
        const lines = names.map((name, i) => `${name}: ${results[i]}`);
        if (draining) lines.unshift('draining: shutting down');
        const ready = !draining && results.every((r) => r === 'ok');
        reply(ready ? 200 : 503, 'text/plain', `${lines.join('\n')}\n`);
      }, () => reply(500, 'text/plain', 'readiness failed\n'));
      return;
    }
    reply(404, 'text/plain', 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.listen.port, options.listen.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.listen.port;
  options.log.info({ host: options.listen.host, port }, 'ops endpoint listening (/metrics /healthz /readyz)');
  return {
    port,
    markDraining: () => {
      draining = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
